// Package manifest_test checks deploy/k8s: it renders the kustomization
// with kustomize's own library, decodes every object strictly (an unknown
// or misspelt field is an error) into the Kubernetes API types, checks the
// properties the deployment relies on, and runs the Jobs' commands with a
// real dcsim binary the way the pods would. It is a module of its own so
// that k8s.io and kustomize stay out of dcsim's go.mod.
package manifest_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

const k8sDir = ".." // deploy/k8s

// rendered is the kustomization's output, decoded.
type rendered struct {
	jobs      map[string]*batchv1.Job
	pvcs      map[string]*corev1.PersistentVolumeClaim
	configMap *corev1.ConfigMap
}

// render builds the kustomization in dir of fs and decodes each object
// strictly into its API type.
func render(t *testing.T, fs filesys.FileSystem, dir string) rendered {
	t.Helper()
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	r := rendered{jobs: map[string]*batchv1.Job{}, pvcs: map[string]*corev1.PersistentVolumeClaim{}}
	for _, res := range m.Resources() {
		b, err := res.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		id := res.GetKind() + "/" + res.GetName()
		switch res.GetKind() {
		case "Job":
			var j batchv1.Job
			decodeStrict(t, id, b, &j, "batch/v1")
			r.jobs[j.Name] = &j
		case "PersistentVolumeClaim":
			var p corev1.PersistentVolumeClaim
			decodeStrict(t, id, b, &p, "v1")
			r.pvcs[p.Name] = &p
		case "ConfigMap":
			if r.configMap != nil {
				t.Errorf("more than one ConfigMap: %s and %s", r.configMap.Name, res.GetName())
			}
			var c corev1.ConfigMap
			decodeStrict(t, id, b, &c, "v1")
			r.configMap = &c
		default:
			t.Errorf("%s: a kind this test does not know; add its checks", id)
		}
	}
	if r.configMap == nil {
		t.Fatal("no ConfigMap rendered")
	}
	return r
}

// decodeStrict decodes YAML into v, refusing unknown and duplicate fields,
// and checks its apiVersion.
func decodeStrict(t *testing.T, what string, b []byte, v runtime.Object, apiVersion string) {
	t.Helper()
	if err := yaml.UnmarshalStrict(b, v); err != nil {
		t.Fatalf("%s does not decode strictly into the Kubernetes API type: %v\n%s", what, err, b)
	}
	if got := v.GetObjectKind().GroupVersionKind().GroupVersion().String(); got != apiVersion {
		t.Errorf("%s: apiVersion %q, want %q", what, got, apiVersion)
	}
}

// TestManifests checks the rendered objects.
func TestManifests(t *testing.T) {
	r := render(t, filesys.MakeFsOnDisk(), k8sDir)
	cm := r.configMap
	shards, err := strconv.Atoi(cm.Data["shards"])
	if err != nil || shards < 1 {
		t.Fatalf("ConfigMap %s: shards=%q is not a positive whole number", cm.Name, cm.Data["shards"])
	}
	for _, k := range []string{"run", "scenario", "replications", "seed"} {
		if cm.Data[k] == "" {
			t.Errorf("ConfigMap %s has no %s", cm.Name, k)
		}
	}
	if len(r.pvcs) != 1 {
		t.Fatalf("want one PersistentVolumeClaim, got %d", len(r.pvcs))
	}
	for _, p := range r.pvcs {
		if !slices.Contains(p.Spec.AccessModes, corev1.ReadWriteMany) {
			t.Errorf("PVC %s: access modes %v; pods on several nodes write it at once: ReadWriteMany", p.Name, p.Spec.AccessModes)
		}
		if q := p.Spec.Resources.Requests[corev1.ResourceStorage]; q.IsZero() {
			t.Errorf("PVC %s requests no storage", p.Name)
		}
	}

	sj, mj := r.jobs["dcsim-shards"], r.jobs["dcsim-merge"]
	if sj == nil || mj == nil || len(r.jobs) != 2 {
		t.Fatalf("want Jobs dcsim-shards and dcsim-merge, got %v", keys(r.jobs))
	}
	// The shard count, written once, reaches every place that needs it.
	if sj.Spec.CompletionMode == nil || *sj.Spec.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("dcsim-shards: completionMode %v, want Indexed", sj.Spec.CompletionMode)
	}
	if sj.Spec.Completions == nil || int(*sj.Spec.Completions) != shards {
		t.Errorf("dcsim-shards: completions %v, want the ConfigMap's shards %d", deref(sj.Spec.Completions), shards)
	}
	if sj.Spec.Parallelism == nil || int(*sj.Spec.Parallelism) != shards {
		t.Errorf("dcsim-shards: parallelism %v, want the ConfigMap's shards %d", deref(sj.Spec.Parallelism), shards)
	}
	if ref := envFrom(sj, "DCSIM_SHARDS"); ref == nil || ref.ConfigMapKeyRef == nil ||
		ref.ConfigMapKeyRef.Name != cm.Name || ref.ConfigMapKeyRef.Key != "shards" {
		t.Errorf("dcsim-shards: DCSIM_SHARDS must come from ConfigMap %s key shards, got %+v", cm.Name, ref)
	}
	if !slices.Contains(container(sj).Args, "--shard") || !slices.Contains(container(sj).Args, "auto") {
		t.Errorf("dcsim-shards: args %q do not use --shard auto", container(sj).Args)
	}
	if mj.Spec.Suspend == nil || !*mj.Spec.Suspend {
		t.Errorf("dcsim-merge must be created suspended, to be resumed once the shards are complete")
	}

	for _, j := range []*batchv1.Job{sj, mj} {
		checkJob(t, j, r)
	}
	if container(sj).Image != container(mj).Image {
		t.Errorf("the Jobs run different images: %s and %s", container(sj).Image, container(mj).Image)
	}
}

// checkJob checks what both Jobs need: fail fast on bad input, ignore
// disruptions, no shell, env for every $(VAR), the results volume.
func checkJob(t *testing.T, j *batchv1.Job, r rendered) {
	t.Helper()
	spec := j.Spec.Template.Spec
	if spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("%s: restartPolicy %q; podFailurePolicy needs Never", j.Name, spec.RestartPolicy)
	}
	if j.Spec.BackoffLimit == nil {
		t.Errorf("%s: no backoffLimit", j.Name)
	}
	c := container(j)
	var failOn2, ignoreDisruption bool
	if j.Spec.PodFailurePolicy != nil {
		for _, rule := range j.Spec.PodFailurePolicy.Rules {
			if e := rule.OnExitCodes; rule.Action == batchv1.PodFailurePolicyActionFailJob && e != nil &&
				e.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn && slices.Contains(e.Values, 2) &&
				(e.ContainerName == nil || *e.ContainerName == c.Name) {
				failOn2 = true
			}
			for _, pc := range rule.OnPodConditions {
				if rule.Action == batchv1.PodFailurePolicyActionIgnore && pc.Type == corev1.DisruptionTarget {
					ignoreDisruption = true
				}
			}
		}
	}
	if !failOn2 {
		t.Errorf("%s: no podFailurePolicy rule fails the Job on exit code 2 (bad input) of container %s", j.Name, c.Name)
	}
	if !ignoreDisruption {
		t.Errorf("%s: no podFailurePolicy rule ignores DisruptionTarget (preemption, eviction)", j.Name)
	}
	if len(spec.Containers) != 1 {
		t.Errorf("%s: %d containers, want 1", j.Name, len(spec.Containers))
	}
	if !slices.Equal(c.Command, []string{"/dcsim"}) {
		t.Errorf("%s: command %q, want [/dcsim] (the image has no shell)", j.Name, c.Command)
	}
	for _, a := range append(slices.Clone(c.Command), c.Args...) {
		if a == "-c" || strings.HasSuffix(a, "/sh") || strings.HasSuffix(a, "bash") || strings.ContainsAny(a, "*|;&`") {
			t.Errorf("%s: %q needs a shell, which the image does not have", j.Name, a)
		}
	}
	defined := map[string]bool{}
	for _, e := range c.Env {
		defined[e.Name] = true
		if ref := e.ValueFrom; ref != nil && ref.ConfigMapKeyRef != nil {
			if ref.ConfigMapKeyRef.Name != r.configMap.Name {
				t.Errorf("%s: env %s refers to ConfigMap %s, which the kustomization does not make", j.Name, e.Name, ref.ConfigMapKeyRef.Name)
			} else if _, ok := r.configMap.Data[ref.ConfigMapKeyRef.Key]; !ok {
				t.Errorf("%s: env %s refers to key %s, not in ConfigMap %s", j.Name, e.Name, ref.ConfigMapKeyRef.Key, r.configMap.Name)
			}
		}
	}
	for _, a := range c.Args {
		for _, m := range varRef.FindAllStringSubmatch(a, -1) {
			if !defined[m[1]] {
				t.Errorf("%s: arg %q refers to $(%s), which the container's env does not define (Kubernetes would pass it literally)", j.Name, a, m[1])
			}
		}
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	for _, v := range spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		if r.pvcs[v.PersistentVolumeClaim.ClaimName] == nil {
			t.Errorf("%s: volume %s claims %s, which the kustomization does not make", j.Name, v.Name, v.PersistentVolumeClaim.ClaimName)
		}
		if mounts[v.Name] != "/results" {
			t.Errorf("%s: the results volume %s is mounted at %q, want /results", j.Name, v.Name, mounts[v.Name])
		}
	}
	if _, ok := mounts["results"]; !ok {
		t.Errorf("%s mounts no results volume", j.Name)
	}
	if sc := spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.FSGroup == nil {
		t.Errorf("%s: pod must run as non-root with an fsGroup that can write the volume", j.Name)
	}
}

var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// TestShardCountInOnePlace renders the kustomization with the shard count
// changed in kustomization.yaml alone, and finds the new count everywhere.
func TestShardCountInOnePlace(t *testing.T) {
	fs := copyToMemory(t, k8sDir)
	k, _ := fs.ReadFile("/k8s/kustomization.yaml")
	re := regexp.MustCompile(`(?m)^(\s*- shards=)\d+`)
	if n := len(re.FindAll(k, -1)); n != 1 {
		t.Fatalf("kustomization.yaml sets shards=N %d times, want once", n)
	}
	if err := fs.WriteFile("/k8s/kustomization.yaml", re.ReplaceAll(k, []byte("${1}5"))); err != nil {
		t.Fatal(err)
	}
	r := render(t, fs, "/k8s")
	sj := r.jobs["dcsim-shards"]
	if r.configMap.Data["shards"] != "5" || deref(sj.Spec.Completions) != 5 || deref(sj.Spec.Parallelism) != 5 {
		t.Errorf("with shards=5: ConfigMap %q, completions %d, parallelism %d; want 5 each",
			r.configMap.Data["shards"], deref(sj.Spec.Completions), deref(sj.Spec.Parallelism))
	}
}

// TestSourcesDecodeStrictly decodes each manifest file as written, so a
// typo fails even where kustomize would pass it through.
func TestSourcesDecodeStrictly(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(b, []byte("\n---")) {
			var meta struct{ Kind string }
			if err := yaml.Unmarshal(doc, &meta); err != nil {
				t.Fatalf("%s document %d: %v", f, i, err)
			}
			var obj runtime.Object
			switch meta.Kind {
			case "Job":
				obj = &batchv1.Job{}
			case "PersistentVolumeClaim":
				obj = &corev1.PersistentVolumeClaim{}
			default:
				t.Errorf("%s document %d: kind %q this test does not know", f, i, meta.Kind)
				continue
			}
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				t.Errorf("%s document %d does not decode strictly: %v", f, i, err)
			}
		}
	}
}

// TestContainerfile checks the image the Jobs run: a static binary in an
// image without a shell, at the path the Jobs call, with the scenarios.
func TestContainerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(k8sDir, "Containerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var froms []string
	var build, entry, user string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			froms = append(froms, f[1])
		case "RUN":
			if strings.Contains(line, "go build") {
				build = line
			}
		case "ENTRYPOINT":
			entry = strings.TrimSpace(strings.TrimPrefix(line, f[0]))
		case "USER":
			user = f[1]
		}
	}
	if len(froms) < 2 {
		t.Fatalf("Containerfile: want a build stage and a final stage, got FROM %v", froms)
	}
	if final := froms[len(froms)-1]; final != "scratch" && !strings.HasPrefix(final, "gcr.io/distroless/static") {
		t.Errorf("final stage FROM %s; want scratch or distroless static (no shell)", final)
	}
	if !strings.Contains(build, "CGO_ENABLED=0") || !strings.Contains(build, "./cmd/dcsim") {
		t.Errorf("the go build line %q must build ./cmd/dcsim with CGO_ENABLED=0 (static)", build)
	}
	if entry != `["/dcsim"]` {
		t.Errorf(`ENTRYPOINT %s, want ["/dcsim"], the Jobs' command`, entry)
	}
	if want := fmt.Sprintf("%d:%d", imageUID, imageUID); user != want {
		t.Errorf("Containerfile USER %q, want %s (a non-root user the Jobs' securityContext names)", user, want)
	}
	if !strings.Contains(string(b), "COPY scenarios/ /scenarios/") {
		t.Errorf("the image must hold the scenarios at /scenarios/")
	}
	r := render(t, filesys.MakeFsOnDisk(), k8sDir)
	for _, j := range r.jobs {
		if sc := j.Spec.Template.Spec.SecurityContext; sc == nil || deref64(sc.RunAsUser) != imageUID || deref64(sc.FSGroup) != imageUID {
			t.Errorf("%s: runAsUser and fsGroup must be the image's user %d", j.Name, imageUID)
		}
	}
	sc := r.configMap.Data["scenario"]
	if rel, ok := strings.CutPrefix(sc, "/scenarios/"); !ok {
		t.Logf("scenario %s is not in the image; it must be on the volume", sc)
	} else if _, err := os.Stat(filepath.Join(repoRoot, "scenarios", rel)); err != nil {
		t.Errorf("the ConfigMap's scenario %s is not in the repository's scenarios/: %v", sc, err)
	}
}

const repoRoot = "../../.."

// imageUID is the user the image runs as (Containerfile USER) and the Jobs'
// runAsUser and fsGroup.
const imageUID = 65532

// TestJobsRunDcsim runs the Jobs' commands as Kubernetes would — env from
// the ConfigMap and the downward API, $(VAR) expanded — with dcsim built
// the way the Containerfile builds it: one process per completion index,
// then the merge. Run as root, each process runs as the image would, in a
// root filesystem holding only /dcsim, /scenarios and the /results volume
// (chroot), as uid 65532; otherwise /results and /scenarios are mapped
// into a temporary directory. The merged result must be the unsharded
// run's, byte for byte; then one shard is removed and the merge must exit
// 2 (which the Job's podFailurePolicy turns into a failed Job) naming the
// gap.
func TestJobsRunDcsim(t *testing.T) {
	if testing.Short() {
		t.Skip("builds dcsim")
	}
	tmp := t.TempDir()
	rootfs := filepath.Join(tmp, "rootfs")
	dcsim := filepath.Join(rootfs, "dcsim")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", dcsim, "./cmd/dcsim")
	build.Dir = repoRoot
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	root, _ := filepath.Abs(repoRoot)
	if err := os.CopyFS(filepath.Join(rootfs, "scenarios"), os.DirFS(filepath.Join(root, "scenarios"))); err != nil {
		t.Fatal(err)
	}
	volume := filepath.Join(rootfs, "results")
	if err := os.MkdirAll(volume, 0o755); err != nil {
		t.Fatal(err)
	}
	chroot := os.Geteuid() == 0
	if chroot {
		// What the pod's fsGroup does for the volume; the image's files are
		// readable by anyone.
		if err := os.Chown(volume, imageUID, imageUID); err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{tmp, rootfs} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		t.Log("not root: running the pods' commands without chroot, with /results and /scenarios mapped")
	}

	fs := copyToMemory(t, k8sDir)
	k, _ := fs.ReadFile("/k8s/kustomization.yaml")
	k = regexp.MustCompile(`(?m)^(\s*- shards=)\d+`).ReplaceAll(k, []byte("${1}3"))
	k = regexp.MustCompile(`(?m)^(\s*- replications=)\d+`).ReplaceAll(k, []byte("${1}90"))
	k = regexp.MustCompile(`(?m)^(\s*- scenario=)\S+`).ReplaceAll(k, []byte("${1}/scenarios/example.toml"))
	if err := fs.WriteFile("/k8s/kustomization.yaml", k); err != nil {
		t.Fatal(err)
	}
	r := render(t, fs, "/k8s")
	paths := strings.NewReplacer("/results/", volume+"/", "/scenarios/", filepath.Join(rootfs, "scenarios")+"/")
	runPod := func(j *batchv1.Job, index int) ([]byte, error) {
		c := container(j)
		env := map[string]string{}
		if index >= 0 {
			env["JOB_COMPLETION_INDEX"] = strconv.Itoa(index) // set by the Job controller
		}
		for _, e := range c.Env {
			switch {
			case e.ValueFrom == nil:
				env[e.Name] = e.Value
			case e.ValueFrom.ConfigMapKeyRef != nil:
				env[e.Name] = r.configMap.Data[e.ValueFrom.ConfigMapKeyRef.Key]
			case e.ValueFrom.FieldRef != nil && strings.Contains(e.ValueFrom.FieldRef.FieldPath, "job-completion-index"):
				env[e.Name] = strconv.Itoa(index)
			default:
				t.Fatalf("%s: env %s: a source this test cannot emulate", j.Name, e.Name)
			}
		}
		var args []string
		for _, a := range c.Args {
			a = varRef.ReplaceAllStringFunc(a, func(m string) string { return env[m[2:len(m)-1]] })
			if !chroot {
				a = paths.Replace(a)
			}
			args = append(args, a)
		}
		var cmd *exec.Cmd
		if chroot {
			cmd = exec.Command(c.Command[0], args...)
			cmd.Dir = "/"
			cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: rootfs, Credential: &syscall.Credential{Uid: imageUID, Gid: imageUID}}
		} else {
			cmd = exec.Command(filepath.Join(rootfs, c.Command[0]), args...)
		}
		cmd.Env = []string{}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		return cmd.CombinedOutput()
	}
	sj, mj := r.jobs["dcsim-shards"], r.jobs["dcsim-merge"]
	for i := 0; i < int(deref(sj.Spec.Completions)); i++ {
		if out, err := runPod(sj, i); err != nil {
			t.Fatalf("shard pod %d: %v\n%s", i, err, out)
		}
	}
	if out, err := runPod(mj, -1); err != nil {
		t.Fatalf("merge pod: %v\n%s", err, out)
	}
	whole := filepath.Join(tmp, "whole")
	cmd := exec.Command(dcsim, "run", filepath.Join(root, "scenarios", "example.toml"), "-n", "90",
		"--seed", r.configMap.Data["seed"], "--out", whole, "--no-plots", "-q")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("unsharded run: %v\n%s", err, out)
	}
	result := filepath.Join(volume, r.configMap.Data["run"], "result")
	for _, f := range []string{"summary.json", "replications.csv"} {
		a, err1 := os.ReadFile(filepath.Join(result, f))
		b, err2 := os.ReadFile(filepath.Join(whole, f))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s merged by the Jobs differs from the unsharded run", f)
		}
	}
	if _, err := os.Stat(filepath.Join(result, "report.html")); err != nil {
		t.Errorf("the merge Job drew no report: %v", err)
	}

	if err := os.RemoveAll(filepath.Join(volume, r.configMap.Data["run"], "shards", "1")); err != nil {
		t.Fatal(err)
	}
	out, err := runPod(mj, -1)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "missing") {
		t.Errorf("merge pod with shard 1 missing: %v\n%s\nwant exit 2 (FailJob) naming the missing replications", err, out)
	}
}

func container(j *batchv1.Job) *corev1.Container { return &j.Spec.Template.Spec.Containers[0] }

func envFrom(j *batchv1.Job, name string) *corev1.EnvVarSource {
	for _, e := range container(j).Env {
		if e.Name == name {
			return e.ValueFrom
		}
	}
	return nil
}

func deref(p *int32) int32 {
	if p == nil {
		return -1
	}
	return *p
}

func deref64(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// copyToMemory copies dir's regular files into an in-memory filesystem
// under /k8s, for renders with a changed kustomization.yaml.
func copyToMemory(t *testing.T, dir string) filesys.FileSystem {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := fs.WriteFile(fmt.Sprintf("/k8s/%s", e.Name()), b); err != nil {
			t.Fatal(err)
		}
	}
	return fs
}
