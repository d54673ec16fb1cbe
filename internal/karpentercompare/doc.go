// Package karpentercompare checks autoscale/karpenter's provisioning against
// Karpenter's own scheduler (sigs.k8s.io/karpenter v1.13.0). It is a module
// of its own so that the main module never depends on Karpenter; it holds
// tests only.
package karpentercompare
