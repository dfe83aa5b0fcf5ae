// Package githubapptest runs a fake GitHub REST API for tests of code that acts as a GitHub App
// through package githubapp, the way net/http/httptest runs a server.
//
// The fake knows the App's test key and checks App authentication as GitHub does
// (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app):
// a JWT signed RS256, iss = the App ID, exp in the future and at most ten minutes after iat. It
// serves GET /repos/{owner}/{repo}/installation and POST /app/installations/{id}/access_tokens,
// issues installation tokens, and lets a test register the endpoints it exercises on Mux,
// wrapped in RequireInstallation so the test proves they are called as the installation.
package githubapptest
