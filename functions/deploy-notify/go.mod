module github.com/discord-chatops/chatops/functions/deploy-notify

go 1.26.0

require github.com/aws/aws-lambda-go v1.55.1

replace github.com/discord-chatops/chatops/shared => ../../shared
