package main

import (
	"testing"

	"github.com/discord-chatops/chatops/shared/discord/openapitest"
)

// messageSchema checks request bodies against MessageCreateRequest in Discord's OpenAPI extract
// (openapitest.Extract) with the shared checker, which also rejects properties the schema
// does not name.
type messageSchema struct{ spec *openapitest.Spec }

func loadMessageSchema(t *testing.T) messageSchema {
	t.Helper()
	spec, err := openapitest.Extract("message-create.json")
	if err != nil {
		t.Fatal(err)
	}
	return messageSchema{spec: spec}
}

func (s messageSchema) check(body []byte) error {
	return s.spec.CheckSchema("MessageCreateRequest", body)
}
