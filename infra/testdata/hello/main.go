// Command hello is the smallest program goBuild can build, for gofunction_test.go.
package main

func main() {}
