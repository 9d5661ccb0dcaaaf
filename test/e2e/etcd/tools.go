//go:build tools

// Package tools records the binary this module exists to build (etcd's
// server main package), so that `go mod tidy` keeps its dependencies in go.sum.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
)
