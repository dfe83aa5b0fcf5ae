// Package githubapptest runs a fake GitHub REST API for tests of code that acts as a GitHub App
// through package githubapp, the way net/http/httptest runs a server, and holds the suite's
// recorded GitHub webhook payloads (Payload).
//
// The fake knows the App's test key and checks App authentication as GitHub does
// (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app):
// a JWT signed RS256, iss = the App ID, exp in the future and at most ten minutes after iat. It
// serves GET /repos/{owner}/{repo}/installation, GET /app/installations/{id} and POST
// /app/installations/{id}/access_tokens, and issues installation tokens.
//
// A repository given to AddRepository is served as the installation, with the endpoints the
// suite calls: the repository, commits and compare; Actions workflows, runs and workflow
// dispatch (with return_run_details, and the older 204); deployments and their statuses; and
// issue assignees. A workflow whose job runs in an environment (Workflow.DeploysTo) records a
// deployment for each dispatched run, as GitHub does, and CompleteRun its last status. Tests
// change its state through the Server's methods (AddRun, CompleteRun,
// AddDeployment, AddDeploymentStatus) and watch or steer dispatches (Dispatches, OnDispatch,
// RefuseDispatches, SetRunDetails). Other endpoints a test registers itself on Mux, wrapped in
// RequireInstallation so the test proves they are called as the installation.
//
// New without a test serves the same fake from a Handler: the local suite mounts it as its
// GitHub, with its own App id and key (App) or any key (AnyKey).
package githubapptest
