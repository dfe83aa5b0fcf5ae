// Package cdkcontext reads the stack's configuration as CDK does (the context block of cdk.json,
// then cdk.context.json, CDK's per-checkout context file) and writes the values setup chooses
// into cdk.context.json, keeping every other key in it (CDK caches its lookups there too).
//
// The CDK CLI reads a key from cdk.json before cdk.context.json, and cdk.json names every key
// (most empty), so a value in cdk.context.json alone would be shadowed: Args turns setup's keys
// into -c arguments, which come first, and `make deploy` passes them.
//
// Upstream reference: https://docs.aws.amazon.com/cdk/v2/guide/context.html
package cdkcontext

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// File is CDK's per-checkout context file, at the repository root.
const File = "cdk.context.json"

// Keys are the context keys setup writes. Keys starting with "setup:" are setup's own
// (the server, the App's page): the stack ignores them.
func Keys() []string {
	return []string{
		"discordApplicationId", "discordPublicKey", "discordChannelId", "deployRoleIds",
		"githubAppId", "githubClientId", "githubApiUrl", "githubRepository", "deployWorkflow", "deployEnvironments", "parameterPrefix",
		GuildKey, AppURLKey,
	}
}

// Setup's own keys.
const (
	GuildKey  = "setup:discordGuildId"
	AppURLKey = "setup:githubAppUrl"
)

// Context is the configuration of one checkout.
type Context struct {
	dir      string
	defaults map[string]any // cdk.json's context block
	local    map[string]any // cdk.context.json
}

// Load reads cdk.json and, when it exists, cdk.context.json in dir.
func Load(dir string) (*Context, error) {
	c := &Context{dir: dir, local: map[string]any{}}
	var project struct {
		Context map[string]any `json:"context"`
	}
	if err := readJSON(filepath.Join(dir, "cdk.json"), &project); err != nil {
		return nil, err
	}
	c.defaults = project.Context
	if err := readJSON(filepath.Join(dir, File), &c.local); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return c, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// Get returns a key's value as a string: cdk.context.json's where setup wrote one, else
// cdk.json's, else "".
func (c *Context) Get(key string) string {
	if v, ok := c.local[key]; ok {
		return str(v)
	}
	return str(c.defaults[key])
}

// Written says whether cdk.context.json holds the key (setup wrote it), rather than cdk.json.
func (c *Context) Written(key string) bool {
	_, ok := c.local[key]
	return ok
}

// List returns a comma-separated value's items, trimmed, empty ones dropped.
func (c *Context) List(key string) []string {
	var out []string
	for item := range strings.SplitSeq(c.Get(key), ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// Set records a value for Save; it reports whether the value changed.
func (c *Context) Set(key, value string) bool {
	if c.Get(key) == value {
		if _, ok := c.local[key]; ok || value == str(c.defaults[key]) {
			return false
		}
	}
	c.local[key] = value
	return true
}

// Save writes cdk.context.json: setup's keys and every key already in the file.
func (c *Context) Save() error {
	b, err := json.MarshalIndent(c.local, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", File, err)
	}
	path := filepath.Join(c.dir, File)
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Args returns the -c arguments that give the CDK CLI setup's values from cdk.context.json,
// sorted by key. A value the shell would split or expand is refused: pass such a value in
// CDK_CONTEXT instead.
func (c *Context) Args() ([]string, error) {
	var args []string
	for _, key := range slices.Sorted(maps.Keys(c.local)) {
		if !slices.Contains(Keys(), key) || strings.HasPrefix(key, "setup:") {
			continue
		}
		v := c.Get(key)
		if strings.ContainsAny(v, " \t\n'\"$`\\*?[]()<>|&;!#~{}") {
			return nil, fmt.Errorf("%s in %s: %q has characters the shell would change; pass it in CDK_CONTEXT instead", key, File, v)
		}
		args = append(args, "-c", key+"="+v)
	}
	return args, nil
}
