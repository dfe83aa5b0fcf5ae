package report

// sizeAnalysis is written by hand, not measured by `make bench`: builds of variants of the
// interactions function made once, on 2026-11-24, to find what its bootstrap is made of, and
// what pinning the SDK's service clients changed. Update it when the figures above move far
// from it.
const sizeAnalysis = `### What the bootstraps are made of, what was done, and what is left

Measured by hand on 2026-11-24 (Go 1.26.8, aws-sdk-go-v2 v1.48.0, aws-lambda-go v1.55.1), not by ` + "`make bench`" + `:
each line is a build with the contract's flags for arm64, of a throwaway copy of the function with one thing
taken out, or of a probe ` + "`main`" + ` that only constructs the named client. The interactions function was 12.19 MB
then; /cost, added since, brought the Cost Explorer client (+0.79 MB, to 12.98 MB).

| build (arm64, stripped) | bytes | step |
| --- | --- | --- |
| ` + "`lambda.Start`" + ` of an empty handler, aws-lambda-go only | 5,832,866 | the floor: the runtime, ` + "`net/http`" + `, ` + "`crypto/tls`" + `, ` + "`encoding/json`" + ` |
| + ` + "`config.LoadDefaultConfig`" + ` | 7,471,266 | +1.64 MB: SDK core, smithy, and the credential chain (STS, SSO, SSO OIDC, Sign-In, IMDS clients) |
| + ` + "`lambda.NewFromConfig`" + ` (no operation called) | 7,930,018 | +0.46 MB |
| + EC2, ECS, EKS, CloudWatch clients (no operation called) | 9,175,202 | +1.25 MB, mostly generated ` + "`schemas`" + ` packages whose ` + "`init`" + ` builds every shape of the API |
| interactions without its four /status clients in ` + "`main`" + ` | 10,944,674 | the /status clients with the operations it calls cost 1.25 MB |
| ... and without the Lambda Invoke client | 9,371,810 | the Invoke client with its operation: 1.57 MB |
| ... and without ` + "`LoadDefaultConfig`" + ` | 8,192,162 | the credential chain: 1.18 MB |
| interactions as it is | 12,189,858 | |

**Done: the service clients are held at their releases from before the ` + "`schemas`" + ` packages**
(ssm v1.79.3, eventbridge v1.48.7, ecs v1.98.0, eks v1.99.0, lambda v1.108.0; CloudWatch stays current
because the suite selects its JSON protocol through the schema-era API). Measured with the same flags,
the commit before against the commit after: cost-cron 10,944,674 -> 9,830,562, deploy-notify
10,092,706 -> 9,044,130, github-webhook 10,879,138 -> 9,633,954, interactions (with /deploy, /scale and
/cost by then) 15,335,586 -> 13,172,898 bytes. The schema packages' ` + "`init`" + ` went with them: with
the name checks rewritten without counted regexp repetitions in the same hour, the interactions
function's package initialisation fell from about 11 ms to about 3 ms, and its cold start with it.
Three of four bootstraps now meet the target; **interactions does not**, and options 1 to 3 below are
what is left for it.

The biggest single cost is fixed: any Go Lambda that speaks HTTPS starts at 5.8 MB. Then each AWS client
costs 0.5 to 1.6 MB, and recent SDK releases make that worse: the generated ` + "`service/*/schemas`" + ` packages
(ECS 271 kB, Lambda 197 kB, EKS 173 kB, CloudWatch 106 kB of code in the interactions binary) are reached from
package initialisation, so the linker cannot drop the parts of the API a function never calls. The other three
functions share the same floor plus ` + "`LoadDefaultConfig`" + ` and the SSM client (deploy-notify: 10.09 MB with
nothing else from AWS), then add EventBridge and go-github (github-webhook) or Cost Explorer (cost-cron).

Options, with the savings measured above (interactions; the others gain the parts they share):

1. **Read the credentials Lambda puts in the environment instead of ` + "`config.LoadDefaultConfig`" + `'s whole chain**
   (` + "`aws.Config{Region: ..., Credentials: credentials.NewStaticCredentialsProvider(...)`" + ` from
   ` + "`AWS_ACCESS_KEY_ID`" + `/` + "`AWS_SECRET_ACCESS_KEY`" + `/` + "`AWS_SESSION_TOKEN`" + `, refreshed per execution environment): about
   -1.2 MB in every function. Costs: CONTRACT.md says every client comes from ` + "`LoadDefaultConfig`" + `; local runs with SSO
   profiles would need their own path. Brings deploy-notify under 10 MB on its own.
2. **Call Lambda Invoke with a SigV4-signed ` + "`net/http`" + ` request** (` + "`aws/signer/v4`" + ` is already linked) instead of the
   generated client: up to -1.5 MB for interactions. Costs: hand-written client code the SDK already provides.
3. **Split the acknowledgement from the work**: a small ack function (verify, route, Invoke) and a worker with the
   /status, /deploy... clients. The ack binary loses the 1.25 MB of /status clients and their types; the worker
   keeps its size. Costs: two functions to deploy and permission, a contract change.
4. **Hold the AWS SDK modules at releases from before the ` + "`schemas`" + ` packages**: done, measured above
   (-1.0 to -2.2 MB a function). Costs: fixes in later releases, and a ` + "`go get -u`" + ` undoes it (README says so).
5. **Compress the binary (UPX)**: about a third of the size, but every cold start pays the decompression, which
   works against the cold-start target; the deployment zip already compresses the bootstrap (interactions
   gzips to 4.2 MB).
6. **Move the target**: 10 MB leaves 4 MB above the floor of an HTTPS Go Lambda for the SDK and the function. With
   1 + 2 interactions would be about 9.4 MB; with 1 alone the other three would be 8.9 to 9.8 MB (estimates: the
   measured savings subtracted, not built).
`
