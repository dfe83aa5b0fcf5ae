// Package appadmin is what setup, the deploy wiring and doctor do as the suite's GitHub App:
// read and set its webhook (GET/PATCH /app/hook/config), list its recent deliveries
// (GET /app/hook/deliveries), list the repositories it is installed on, read an installation's
// permissions and fetch the deploy workflow file.
//
// Upstream references:
//   - https://docs.github.com/en/rest/apps/webhooks
//   - https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-app-installation
//   - https://docs.github.com/en/rest/repos/contents#get-repository-content
package appadmin
