package autoscale

// SuspendDynamicScaleIn sets the scalable target's
// SuspendedState.DynamicScalingInSuspended: while it is set, no scaling
// policy scales in (the policies still evaluate, and a scale-out still
// applies); scheduled actions are not affected.
//
// AWS (ECS Developer Guide, "Troubleshooting service auto scaling"):
// "Application Auto Scaling turns off scale-in processes while Amazon ECS
// deployments are in progress, and they resume once the deployment has
// completed. However, scale-out processes continue to occur". sim/ecs sets
// it for the length of a staged (blue/green, linear, canary) deployment.
func (t *ScalableTarget) SuspendDynamicScaleIn(on bool) { t.scaleInSuspended = on }

// DynamicScaleInSuspended reports whether scale-in is suspended.
func (t *ScalableTarget) DynamicScaleInSuspended() bool { return t.scaleInSuspended }
