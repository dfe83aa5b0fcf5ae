// Package apigw adapts Lambda handlers to API Gateway HTTP API events in payload format 2.0
// (events.APIGatewayV2HTTPRequest and events.APIGatewayV2HTTPResponse from aws-lambda-go).
//
// HTTP API lower-cases header names and base64-encodes bodies it does not consider text, so a
// handler reads them through Header and Body rather than from the event's fields. See
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
// for the payload format and https://pkg.go.dev/github.com/aws/aws-lambda-go/events for the types.
package apigw
