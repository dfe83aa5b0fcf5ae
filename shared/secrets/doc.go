// Package secrets reads the suite's secrets from AWS Systems Manager Parameter Store, where they
// are SecureString parameters under a path prefix (CHATOPS_PARAMETER_PREFIX, /chatops by default).
//
// A Store fetches with decryption, ten names per GetParameters call (the API's limit), and keeps
// what it fetched in memory for a TTL, so a warm Lambda execution environment does not call SSM
// on every event. Values are never logged and never appear in an error.
//
// API reference: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
// and https://pkg.go.dev/github.com/aws/aws-sdk-go-v2/service/ssm#Client.GetParameters.
package secrets
