package main

import (
	"debug/elf"
	"path/filepath"
	"strings"
	"testing"
)

func TestGoBuild(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(filepath.Join("testdata", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if ok := (&goBuild{dir: dir}).TryBundle(&out, nil); ok == nil || !*ok {
		t.Fatalf("TryBundle = %v, want true", ok)
	}
	f, err := elf.Open(filepath.Join(out, "bootstrap"))
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.OSABI != elf.ELFOSABI_NONE {
		t.Errorf("bootstrap is %v/%v, want EM_AARCH64 for Linux", f.Machine, f.OSABI)
	}
	// CGO_ENABLED=0: a static binary has no program interpreter; -s: no symbol table.
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("bootstrap is dynamically linked")
		}
	}
	if f.Section(".symtab") != nil {
		t.Error("bootstrap has a symbol table: -ldflags=-s missing")
	}
}

func TestGoBuildError(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(filepath.Join("testdata", "broken"))
	if err != nil {
		t.Fatal(err)
	}
	err = (&goBuild{dir: dir}).build(t.TempDir())
	if err == nil {
		t.Fatal("build of a broken package succeeded")
	}
	for _, want := range []string{"go build " + dir, "cannot use \"not a number\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}
