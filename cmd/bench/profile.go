package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

// startProfile records a CPU profile and a mutex-contention profile of the
// whole process (app, engine and load client) while one endpoint is
// driven, into dir/<name>.cpu.pprof and dir/<name>.mutex.pprof. The mutex
// profile counts from the start of the process: read it against the one
// taken before (go tool pprof -diff_base DIR/<name>.mutex-before.pprof
// DIR/<name>.mutex.pprof). With an empty dir it does nothing. The profiles are what docs/PERFORMANCE.md
// cites where a target is missed.
func startProfile(dir, name string) (stop func() error, err error) {
	if dir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := writeMutexProfile(filepath.Join(dir, name+".mutex-before.pprof")); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(dir, name+".cpu.pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	// One contention event in five is enough to see where goroutines wait.
	runtime.SetMutexProfileFraction(5)
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return err
		}
		err := writeMutexProfile(filepath.Join(dir, name+".mutex.pprof"))
		runtime.SetMutexProfileFraction(0)
		return err
	}, nil
}

func writeMutexProfile(path string) error {
	m, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("mutex").WriteTo(m, 0); err != nil {
		m.Close()
		return err
	}
	return m.Close()
}
