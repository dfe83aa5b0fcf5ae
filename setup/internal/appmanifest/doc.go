// Package appmanifest creates the suite's GitHub App from github-app-manifest.json the way
// Probot does: a page on localhost posts the manifest to GitHub's new-App form (for a user, an
// organization, or GitHub Enterprise Server), GitHub sends the browser back to localhost with a
// one-hour code, and the code is exchanged for the App's id, private key and webhook secret
// (POST /app-manifests/{code}/conversions). Nothing is written to disk.
//
// Upstream reference: https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
package appmanifest
