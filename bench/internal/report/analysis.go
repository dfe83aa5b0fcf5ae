package report

// sizeAnalysis is written by hand, not measured by `make bench`: builds of variants of the
// interactions function made once, on 2026-11-24, to find what its bootstrap is made of and
// what each way of shrinking it would save. Update it when the figures above move far from it.
const sizeAnalysis = `### What the interactions bootstrap is made of, and why it stays over 10 MB

Measured by hand on 2026-11-24 at c683fb0 (Go 1.26.8, aws-sdk-go-v2 v1.48.0, aws-lambda-go v1.55.1), not by ` + "`" + `make bench` + "`" + `:
each line is ` + "`" + `make build` + "`" + `'s command for arm64 run on a throwaway copy of the function whose ` + "`" + `main.go` + "`" + ` passes ` + "`" + `nil` + "`" + `
for the named client, or whose ` + "`" + `go.mod` + "`" + ` holds the named module back. Sizes move in 64 KiB steps, and clients share
code, so the savings do not add up.

| build (arm64, stripped) | bytes | against as it is |
| --- | --- | --- |
| interactions as it is | 13,762,722 | |
| ... with ` + "`" + `encoding/json` + "`" + ` in place of go-json-experiment (the commit before c88e759) | 13,172,898 | -0.59 MB |
| ... without ` + "`" + `time/tzdata` + "`" + ` | 13,369,506 | -0.39 MB |
| ... without the Lambda client (the self-invocation) | 13,435,042 | -0.33 MB |
| ... without the EC2 client | 13,369,506 | -0.39 MB |
| ... without the ECS client (/status and /scale) | 13,303,970 | -0.46 MB |
| ... without the EKS client | 13,566,114 | -0.20 MB |
| ... without the CloudWatch client | 13,500,578 | -0.26 MB |
| ... without the Auto Scaling client | 13,435,042 | -0.33 MB |
| ... without the Cost Explorer client | 13,500,578 | -0.26 MB |
| ... without any AWS service client but SSM | 11,600,034 | -2.16 MB |
| ... without ` + "`" + `config.LoadDefaultConfig` + "`" + ` (an empty ` + "`" + `aws.Config` + "`" + `) | 12,124,322 | -1.64 MB: the credential chain (STS, SSO, SSO OIDC, Sign-In and IMDS clients) |
| ... without both | 9,699,490 | -4.06 MB: the first build under 10 MB, and it can no longer read a metric, scale, read costs or hand work to itself |
| ... with the credential chain held at its releases before ` + "`" + `schemas` + "`" + ` (config v1.33.11) | 13,566,114 | -0.20 MB |
| ... with CloudWatch held at v1.52.6, the last release that speaks the query protocol | 13,435,042 | -0.33 MB |
| ... with all four that keep every feature: chain and CloudWatch held, no ` + "`" + `time/tzdata` + "`" + `, no Lambda client | 12,386,466 | -1.38 MB |

For scale: ` + "`" + `lambda.Start` + "`" + ` of an empty handler with aws-lambda-go alone is 5,832,866 bytes (the runtime, ` + "`" + `net/http` + "`" + `,
` + "`" + `crypto/tls` + "`" + `, ` + "`" + `encoding/json` + "`" + `), and adding ` + "`" + `config.LoadDefaultConfig` + "`" + ` makes it 7,471,266.

**Done earlier:** the SSM, EventBridge, ECS, EKS and Lambda clients are held at their releases from before the
generated ` + "`" + `schemas` + "`" + ` packages (ssm v1.79.3, eventbridge v1.48.7, ecs v1.98.0, eks v1.99.0, lambda v1.108.0), which
took cost-cron from 10.94 to 9.83 MB, deploy-notify from 10.09 to 9.04, github-webhook from 10.88 to 9.63 and
interactions from 15.34 to 13.17, and package initialisation from about 11 ms to about 3 ms. Three of the four
bootstraps meet the target (deploy-notify is 9.18 MB since it links go-json-experiment through ` + "`" + `shared/discord` + "`" + `).

**Why interactions cannot meet it under docs/CONTRACT.md:** the contract has every AWS client built from
` + "`" + `config.LoadDefaultConfig` + "`" + ` (1.64 MB on its own) and the same function acknowledging and doing the work (so one
binary carries EC2, ECS, EKS, CloudWatch, Auto Scaling, Cost Explorer, Lambda and SSM, and the GitHub App client),
on top of a 5.8 MB floor. The table shows that only a build without both the credential chain and the service
clients gets under 10 MB; every option that keeps the features stops at 12.4 MB or more. Getting there would
mean writing the AWS protocols of seven services by hand instead of aws-sdk-go-v2 and reading credentials around
` + "`" + `LoadDefaultConfig` + "`" + `, or splitting the function in two; both go against the contract and the team's choice of SDK.

**Not taken, and why:**
- Holding the credential chain back (-0.20 MB): credentials v1.20.12 and later, which need the ` + "`" + `schemas` + "`" + `-era STS and
  SSO clients, fix two panics (a login token missing fields, an AssumeRole answer missing credentials).
- Holding CloudWatch at v1.52.6 (-0.33 MB): a year of fixes, and a protocol CloudWatch says it is replacing.
- Dropping ` + "`" + `time/tzdata` + "`" + ` (-0.39 MB): ` + "`" + `REPORT_TIMEZONE` + "`" + ` would then depend on zoneinfo in the Lambda image.
- A hand-signed Lambda Invoke (-0.33 MB): hand-written client code for what the SDK provides, for a third of a MB.
- Compressing the binary (UPX): every cold start would pay the decompression; the deployment zip already
  compresses it (interactions gzips to about 4.8 MB).
- go-json-experiment (+0.59 MB) was taken: it is what brings the ack path within 1.25x of a bare verify.
`
