package tests

import (
	"os/exec"
)

// runPython runs a script with Debian's python3, which has python3-redis.
func runPython(script string) (string, error) {
	out, err := exec.Command("/usr/bin/python3", "-c", script).CombinedOutput()
	return string(out), err
}
