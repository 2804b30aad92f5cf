//go:build !darwin && !windows && !ios

package store

func runtimeUsesXDG() bool { return true }
