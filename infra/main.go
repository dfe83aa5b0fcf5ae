// Command infra is the CDK app that deploys the ChatOps suite.
package main

func main() {}
