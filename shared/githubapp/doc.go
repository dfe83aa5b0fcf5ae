// Package githubapp talks to the GitHub REST API as a GitHub App and checks the App's webhooks.
//
// An App authenticates twice over: a short-lived JWT signed with the App's private key (RS256,
// iss = the App ID) for app-level endpoints, then one installation access token per installation,
// valid for an hour, for calls on a repository. The App finds the installation of a repository
// with GET /repos/{owner}/{repo}/installation. github.com/bradleyfalzon/ghinstallation/v2 signs
// the JWTs and fetches, caches and refreshes the installation tokens; github.com/google/go-github
// is the REST client.
//
// Upstream documentation:
//   - https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
//   - https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/authenticating-as-a-github-app-installation
//   - https://docs.github.com/en/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app
//   - https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
//   - https://pkg.go.dev/github.com/google/go-github/v66/github and https://pkg.go.dev/github.com/bradleyfalzon/ghinstallation/v2
//
// Package githubapptest provides a fake GitHub for tests of code that uses this package.
package githubapp
