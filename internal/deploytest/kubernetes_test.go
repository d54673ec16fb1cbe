// Package deploytest checks the files in deploy/ that run fleetsim on batch
// engines (docs/sweeps.md): the Kubernetes Indexed Job and its merge Job,
// without a cluster. (The Slurm script runs on a real Slurm in .ci/slurm.)
// It has no code outside its tests.
package deploytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const (
	sweepManifest = "../../deploy/kubernetes/fleetsim-sweep-job.yaml"
	mergeManifest = "../../deploy/kubernetes/fleetsim-merge-job.yaml"
	// Kubernetes' OpenAPI schemas of a Job and a PersistentVolumeClaim
	// (testdata/trim.go says how it was cut from Kubernetes' own).
	kubeOpenAPI = "testdata/kubernetes-openapi.json"
)

// readManifest decodes a file's YAML documents.
func readManifest(t *testing.T, name string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, name)
		docs = append(docs, doc)
	}
	return docs
}

// kubeSchemas compiles Kubernetes' schemas of a Job and a
// PersistentVolumeClaim, strict as `kubeconform -strict` is: an object's
// properties are all it may have, so a misspelt field fails.
func kubeSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	f, err := os.Open(kubeOpenAPI)
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	var strict func(any)
	strict = func(x any) {
		switch v := x.(type) {
		case map[string]any:
			if _, has := v["properties"]; has {
				if _, set := v["additionalProperties"]; !set {
					v["additionalProperties"] = false
				}
			}
			for _, e := range v {
				strict(e)
			}
		case []any:
			for _, e := range v {
				strict(e)
			}
		}
	}
	strict(doc)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("kubernetes-openapi.json", doc))
	out := map[string]*jsonschema.Schema{}
	for kind, name := range map[string]string{"Job": "io.k8s.api.batch.v1.Job", "PersistentVolumeClaim": "io.k8s.api.core.v1.PersistentVolumeClaim"} {
		s, err := c.Compile("kubernetes-openapi.json#/components/schemas/" + name)
		require.NoError(t, err)
		out[kind] = s
	}
	return out
}

// asJSONValue is a YAML document as the JSON value the schema library reads.
func asJSONValue(t *testing.T, doc map[string]any) any {
	t.Helper()
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return v
}

func TestTheManifestsAreValidKubernetesObjects(t *testing.T) {
	schemas := kubeSchemas(t)
	for _, name := range []string{sweepManifest, mergeManifest} {
		for _, doc := range readManifest(t, name) {
			kind, _ := doc["kind"].(string)
			s, ok := schemas[kind]
			require.True(t, ok, "%s: a %q, want a Job or a PersistentVolumeClaim", name, kind)
			assert.NoError(t, s.Validate(asJSONValue(t, doc)), "%s: %s", name, kind)
		}
	}
	// And the check has teeth: a misspelt field, a wrong type.
	job := jobOf(t, readManifest(t, sweepManifest))
	spec := job["spec"].(map[string]any)
	spec["completionMod"] = spec["completionMode"]
	assert.ErrorContains(t, schemas["Job"].Validate(asJSONValue(t, job)), "completionMod")
	delete(spec, "completionMod")
	spec["completions"] = "three"
	assert.Error(t, schemas["Job"].Validate(asJSONValue(t, job)))
}

// jobOf returns the manifest's one Job.
func jobOf(t *testing.T, docs []map[string]any) map[string]any {
	t.Helper()
	var jobs []map[string]any
	for _, d := range docs {
		if d["kind"] == "Job" {
			jobs = append(jobs, d)
		}
	}
	require.Len(t, jobs, 1)
	return jobs[0]
}

// container is what the test reads of a Job's one container.
type container struct {
	command, args []string
	mounts        map[string]string // volume name -> mount path
	claims        map[string]string // volume name -> PersistentVolumeClaim
}

func containerOf(t *testing.T, job map[string]any) container {
	t.Helper()
	b, err := json.Marshal(job["spec"])
	require.NoError(t, err)
	var spec struct {
		Template struct {
			Spec struct {
				Containers []struct {
					Command, Args []string
					VolumeMounts  []struct{ Name, MountPath string }
				}
				Volumes []struct {
					Name                  string
					PersistentVolumeClaim *struct{ ClaimName string }
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(b, &spec))
	require.Len(t, spec.Template.Spec.Containers, 1)
	c := spec.Template.Spec.Containers[0]
	out := container{command: c.Command, args: c.Args, mounts: map[string]string{}, claims: map[string]string{}}
	for _, m := range c.VolumeMounts {
		out.mounts[m.Name] = m.MountPath
	}
	for _, v := range spec.Template.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			out.claims[v.Name] = v.PersistentVolumeClaim.ClaimName
		}
	}
	return out
}

// expand does what the kubelet does to a container's command and args:
// $(VAR) becomes the variable's value when it is defined, $$ a $.
func expand(s string, env map[string]string) string {
	return regexp.MustCompile(`\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`).ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		if v, ok := env[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// flagValue is the argument after flag.
func flagValue(t *testing.T, args []string, flag string) string {
	t.Helper()
	i := slices.Index(args, flag)
	require.True(t, i >= 0 && i+1 < len(args), "no %s in %q", flag, args)
	return args[i+1]
}

// buildFleetsim builds the CLI into dir.
func buildFleetsim(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "fleetsim")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/fleetsim/fleetsim/cmd/fleetsim").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// TestTheIndexedJobShardsByTheCompletionIndexAndMergesIntoTheUnshardedSweep
// checks the index contract of fleetsim-sweep-job.yaml and
// fleetsim-merge-job.yaml: the Job is Indexed with N completions, each pod
// runs `fleetsim sweep ... --shard INDEX/N` (numbered from 0, as the CLI
// and JOB_COMPLETION_INDEX both count) into its own folder of the shared
// volume, and the merge Job reads exactly those N folders. Then it runs
// the pods' commands as the kubelet would (index i in JOB_COMPLETION_INDEX,
// the volume a temporary folder), the merge's, and the same sweep
// unsharded: the merged folder is the unsharded one, byte for byte.
func TestTheIndexedJobShardsByTheCompletionIndexAndMergesIntoTheUnshardedSweep(t *testing.T) {
	docs := readManifest(t, sweepManifest)
	job := jobOf(t, docs)
	spec := job["spec"].(map[string]any)
	require.Equal(t, "Indexed", spec["completionMode"], "an Indexed Job gives each pod JOB_COMPLETION_INDEX")
	n, ok := spec["completions"].(int)
	require.True(t, ok && n >= 1, "completions: %v", spec["completions"])
	if p, ok := spec["parallelism"].(int); ok {
		assert.LessOrEqual(t, p, n, "parallelism")
	}

	sweep := containerOf(t, job)
	require.Equal(t, []string{"fleetsim"}, sweep.command)
	require.Equal(t, "sweep", sweep.args[0])
	assert.Equal(t, "$(JOB_COMPLETION_INDEX)/"+strconv.Itoa(n), flagValue(t, sweep.args, "--shard"),
		"--shard counts from 0 like the completion index, and its N is completions")
	shardOut := flagValue(t, sweep.args, "-o")
	require.Contains(t, shardOut, "$(JOB_COMPLETION_INDEX)", "each shard its own folder")
	var volume, mountPath string
	for name, path := range sweep.mounts {
		if strings.HasPrefix(shardOut, path+"/") {
			volume, mountPath = name, path
		}
	}
	require.NotEmpty(t, volume, "the shards' folder %s is on a mounted volume", shardOut)
	claim := sweep.claims[volume]
	require.NotEmpty(t, claim, "a PersistentVolumeClaim, which every pod mounts")
	var pvc map[string]any
	for _, d := range docs {
		if d["kind"] == "PersistentVolumeClaim" && d["metadata"].(map[string]any)["name"] == claim {
			pvc = d
		}
	}
	require.NotNil(t, pvc, "the manifest defines the claim %s", claim)
	assert.Contains(t, pvc["spec"].(map[string]any)["accessModes"], "ReadWriteMany", "pods on several nodes write to it")

	merge := containerOf(t, jobOf(t, readManifest(t, mergeManifest)))
	require.Equal(t, []string{"fleetsim"}, merge.command)
	require.Equal(t, "merge", merge.args[0])
	var mergeVolume string
	for name, path := range merge.mounts {
		if path == mountPath {
			mergeVolume = name
		}
	}
	require.Equal(t, claim, merge.claims[mergeVolume], "the merge mounts the shards' claim at the same path")
	mergeOut := flagValue(t, merge.args, "-o")
	var want []string
	for i := range n {
		want = append(want, expand(shardOut, map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)}))
	}
	inputs := slices.DeleteFunc(slices.Clone(merge.args[1:]), func(a string) bool { return a == "-o" || a == mergeOut })
	assert.Equal(t, want, inputs, "the merge reads every shard's folder, and only those")

	// Run it.
	tmp := t.TempDir()
	bin := buildFleetsim(t, tmp)
	vol := filepath.Join(tmp, "volume")
	require.NoError(t, os.Mkdir(vol, 0o755))
	local := func(args []string, env map[string]string) []string {
		out := make([]string, len(args))
		for i, a := range args {
			a = expand(a, env)
			if rest, ok := strings.CutPrefix(a, mountPath); ok && (rest == "" || rest[0] == '/') {
				a = vol + rest
			}
			out[i] = a
		}
		return out
	}
	run := func(args []string) {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		require.NoError(t, err, "fleetsim %s:\n%s", strings.Join(args, " "), out)
	}
	for i := range n {
		run(local(sweep.args, map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)}))
	}
	run(local(merge.args, nil))

	unsharded := slices.Clone(sweep.args)
	i := slices.Index(unsharded, "--shard")
	unsharded = slices.Delete(unsharded, i, i+2)
	unsharded[slices.Index(unsharded, "-o")+1] = filepath.Join(tmp, "unsharded")
	run(unsharded)
	for _, f := range []string{"results.csv", "sweep.json", "report.html"} {
		got, err := os.ReadFile(filepath.Join(local([]string{mergeOut}, nil)[0], f))
		require.NoError(t, err)
		want, err := os.ReadFile(filepath.Join(tmp, "unsharded", f))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), "%s: the merged shards differ from the unsharded sweep", f)
	}
}

func TestExpandIsTheKubeletsVariableExpansion(t *testing.T) {
	env := map[string]string{"JOB_COMPLETION_INDEX": "2"}
	for in, want := range map[string]string{
		"$(JOB_COMPLETION_INDEX)/3":     "2/3",
		"shard-$(JOB_COMPLETION_INDEX)": "shard-2",
		"$$(JOB_COMPLETION_INDEX)":      "$(JOB_COMPLETION_INDEX)",
		"$(UNDEFINED)":                  "$(UNDEFINED)",
		"${JOB_COMPLETION_INDEX}":       "${JOB_COMPLETION_INDEX}", // a shell's form: not expanded without a shell
	} {
		assert.Equal(t, want, expand(in, env), in)
	}
}
