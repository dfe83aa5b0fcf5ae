package main

import (
	"testing"

	"github.com/discord-chatops/chatops/shared/discord/openapitest"
)

// openAPI checks request bodies against Discord's message-create extract
// (openapitest.Extract) with the shared checker, which also rejects properties the
// schema does not name.
type openAPI struct{ spec *openapitest.Spec }

func loadOpenAPI(t *testing.T) openAPI {
	t.Helper()
	spec, err := openapitest.Extract("message-create.json")
	if err != nil {
		t.Fatal(err)
	}
	return openAPI{spec: spec}
}

// check validates body against the named schema.
func (o openAPI) check(body []byte, schema string) error { return o.spec.CheckSchema(schema, body) }
