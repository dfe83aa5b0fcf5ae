module github.com/discord-chatops/chatops/bench

go 1.26.0

require (
	github.com/aws/aws-lambda-go v1.55.1
	github.com/discord-chatops/chatops/shared v0.0.0
	github.com/google/go-cmp v0.7.0
)

replace github.com/discord-chatops/chatops/shared => ../shared
