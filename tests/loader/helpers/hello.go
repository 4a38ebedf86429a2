package main

import (
	"fmt"
	"os"
	"os/exec"
)

func main() {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	out, err := exec.Command("/bin/echo", "from-child").Output()
	if err != nil {
		panic(err)
	}
	wd, _ := os.Getwd()
	fmt.Printf("go hello exe=%s child=%s wd=%s\n", exe, string(out[:len(out)-1]), wd)
}
