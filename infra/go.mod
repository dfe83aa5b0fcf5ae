module github.com/discord-chatops/chatops/infra

go 1.26.0
