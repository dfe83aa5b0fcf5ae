package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/discord-chatops/chatops/shared/mototest"
)

// motoServer is the moto_server the package's tests share, for their state tables: each test
// creates a table of its own in it (statetest.New), so that no two tests share state.
var motoServer *mototest.Server

func TestMain(m *testing.M) {
	s, err := mototest.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	motoServer = s
	code := m.Run()
	s.Close()
	os.Exit(code)
}
