// Command broken does not compile, for gofunction_test.go: goBuild must report why.
package main

func main() {
	var n int = "not a number"
	_ = n
}
