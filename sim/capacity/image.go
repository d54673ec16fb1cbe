package capacity

import "github.com/fleetsim/fleetsim/sim/des"

// ImageID interns an image name for the per-instance image cache.
func (f *Fleet) ImageID(name string) int32 {
	if id, ok := f.images[name]; ok {
		return id
	}
	id := int32(len(f.images))
	f.images[name] = id
	if f.ecr != nil {
		f.ecr.names = append(f.ecr.names, name) // ecr.go
	}
	return id
}

// Pull returns when image (of the given size) is on instance i: now when it
// is cached and recheck is off; after a registry check (CachedPullTime) when
// it is cached and recheck is on; else after a pull at the instance's
// bandwidth (a pull already under way is shared). The orchestrator's pull
// policy sets recheck (ECS_IMAGE_PULL_BEHAVIOR, Kubernetes' imagePullPolicy).
func (f *Fleet) Pull(i int32, image int32, bytes int64, recheck bool) des.Time {
	in := &f.instances[i]
	now := f.eng.Now()
	ready := in.readyAt(image)
	at := *ready
	if at != 0 && at <= now && recheck {
		at = now + des.At(f.cfg.Settings.CachedPullTime)
	}
	if at == 0 {
		at = now + f.registryPull(image, bytes, f.cfg.Settings.ImagePullBytesPerSecond) // ecr.go
		if at == 0 {
			at = 1 // 0 means "absent"; an empty image is ready at once
		}
		*ready = at
	}
	return at
}

// inlineImages is how many images' ready times an instance record holds
// itself.
const inlineImages = 2

// readyAt is where the instance keeps image's ready time.
func (in *instance) readyAt(image int32) *des.Time {
	if image < inlineImages {
		return &in.ready[image]
	}
	k := int(image - inlineImages)
	for k >= len(in.imageReady) {
		in.imageReady = append(in.imageReady, 0)
	}
	return &in.imageReady[k]
}

// readyTime is image's ready time on the instance, 0 when not pulled.
func (in *instance) readyTime(image int32) des.Time {
	if image < inlineImages {
		return in.ready[image]
	}
	if k := int(image - inlineImages); k < len(in.imageReady) {
		return in.imageReady[k]
	}
	return 0
}

// PullTime is how long bytes take at perSecond.
func PullTime(bytes, perSecond int64) des.Time {
	if bytes <= 0 || perSecond <= 0 {
		return 0
	}
	return des.Time(float64(bytes) / float64(perSecond) * 1e9)
}
