package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// terminate sends SIGTERM to pid.
func terminate(pid int) error {
	if pid <= 0 {
		return errors.New("no --server-pid given")
	}
	return syscall.Kill(pid, syscall.SIGTERM)
}

// waitExit waits until process pid has exited (or is a zombie its parent has not
// reaped yet), polling until ctx ends.
func waitExit(ctx context.Context, pid int) error {
	for {
		if !running(pid) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("process %d still running: %w", pid, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// The state follows the command name, which is in parentheses: "pid (comm) S ...".
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) == 0 || fields[0] != "Z"
}

// startServer runs the shell command that starts a server in the background and
// returns the pid it prints on the first line of its stdout.
func startServer(ctx context.Context, command string) (int, error) {
	if command == "" {
		return 0, errors.New("no --restart-command given")
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	// Read one line only: the server in the background may hold stdout open.
	line, readErr := bufio.NewReader(stdout).ReadString('\n')
	waitErr := cmd.Wait()
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	switch {
	case err == nil && pid > 0:
		return pid, nil
	case waitErr != nil:
		return 0, fmt.Errorf("the restart command failed: %v", waitErr)
	case readErr != nil:
		return 0, fmt.Errorf("the restart command printed no pid: %v", readErr)
	}
	return 0, fmt.Errorf("the restart command printed %q, not a pid", line)
}
