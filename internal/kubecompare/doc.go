// Package kubecompare checks placement/kube against kube-scheduler's own
// plugins (k8s.io/kubernetes v1.37.2). It is a module of its own so that the
// main module never depends on Kubernetes; it holds tests only.
package kubecompare
