//go:build tools

// Package tools records the binaries this module exists to build, so that
// `go mod tidy` keeps their dependencies in go.sum. Built by
// scripts/install-kube-tools.sh with:
//
//	go build -o .tools/bin/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
//	go build -o .tools/bin/kubectl k8s.io/kubernetes/cmd/kubectl
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
