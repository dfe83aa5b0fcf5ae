package binsize

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPackageOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ symbol, want string }{
		{"github.com/aws/smithy-go/middleware.(*Stack).HandleMiddleware", "github.com/aws/smithy-go/middleware"},
		{"github.com/aws/aws-sdk-go-v2/service/ecs/schemas.init.0", "github.com/aws/aws-sdk-go-v2/service/ecs/schemas"},
		{"type:.eq.net/http.Request", "net/http"},
		{"runtime.mallocgc", "runtime"},
		{"crypto/internal/fips140/edwards25519.(*Point).Add", "crypto/internal/fips140/edwards25519"},
		{"main.main", "main"},
		{"github.com/aws/aws-sdk-go-v2/aws.(*Config).Copy.func1", "github.com/aws/aws-sdk-go-v2/aws"},
	} {
		if got := PackageOf(tt.symbol); got != tt.want {
			t.Errorf("PackageOf(%q) = %q, want %q", tt.symbol, got, tt.want)
		}
	}
}

func TestGroup(t *testing.T) {
	t.Parallel()
	modules := []string{"example.com/app", "github.com/aws/aws-sdk-go-v2", "github.com/aws/aws-sdk-go-v2/service/ecs"}
	nm := []byte(`  4db4d0      1000 T github.com/aws/aws-sdk-go-v2/service/ecs/schemas.init.0
  4db4d0       500 T github.com/aws/aws-sdk-go-v2/aws.(*Config).Copy
  4db4d0       200 t runtime.mallocgc
  4db4d0       100 T runtime.gcStart
  4db4d0       300 T example.com/app/internal/x.F
  bfc900  33554432 D crypto/internal/fips140/drbg.memory
  4db4d0       300 R github.com/aws/aws-sdk-go-v2/aws.table
                   U some.undefined
`)
	got, err := group(nm, modules)
	if err != nil {
		t.Fatal(err)
	}
	want := []Module{
		{"github.com/aws/aws-sdk-go-v2/service/ecs", 1000},
		{"github.com/aws/aws-sdk-go-v2", 500},
		{"example.com/app", 300},
		{"std: runtime", 300},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("group mismatch (-want +got):\n%s", diff)
	}
}
