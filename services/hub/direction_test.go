package main

// The direction of the workspace (docs/architecture.md, "Modules and packages"):
//
//	hub ──► services/{editor,telegram,web,youtube} ──► shared
//	deploy ──► shared
//
// A service imports shared and its own packages, never another service's; only the hub,
// the composition root, imports services; shared imports no service; nothing imports the
// hub or deploy. Every go.mod requires what its module imports (it builds with
// GOWORK=off), and a dependency has one version in every go.mod of the workspace.
//
// The import checks read `go list -deps` without -test: they hold for what the binaries
// link. Test files are held only to the stand-alone check (their module's go.mod must
// require what they import); deploy's tests, for one, drive services/youtube/live.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

const dirRepo = "github.com/paeria/pregoner"

// dirWorkspace is the workspace as go.work describes it.
type dirWorkspace struct {
	root    string            // the directory holding go.work
	modules map[string]string // module path → directory
}

var (
	dirOnce sync.Once
	dirWS   dirWorkspace
	dirErr  error
)

// workspace finds go.work by walking up from the test's directory and reads which
// modules it uses. It skips the test when there is no go.work or no go command.
func workspace(t *testing.T) dirWorkspace {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH:", err)
	}
	dirOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			dirErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				dirErr = errNoWorkspace
				return
			}
			dir = parent
		}
		ws := dirWorkspace{root: dir, modules: map[string]string{}}
		out, err := dirGo(dir, true, "work", "edit", "-json")
		if err != nil {
			dirErr = err
			return
		}
		var work struct{ Use []struct{ DiskPath string } }
		if err := json.Unmarshal(out, &work); err != nil {
			dirErr = fmt.Errorf("go work edit -json: %v", err)
			return
		}
		for _, u := range work.Use {
			mdir := filepath.Join(dir, filepath.FromSlash(u.DiskPath))
			mf, err := dirGoMod(mdir)
			if err != nil {
				dirErr = err
				return
			}
			ws.modules[mf.Module.Path] = mdir
		}
		dirWS = ws
	})
	if errors.Is(dirErr, errNoWorkspace) {
		t.Skip("no go.work above", dirErr)
	}
	if dirErr != nil {
		t.Fatal(dirErr)
	}
	return dirWS
}

var errNoWorkspace = errors.New("no go.work in any parent directory")

// dirGo runs the go command in dir. inWorkspace runs it against the workspace's go.work
// whatever the caller's GOWORK; otherwise with GOWORK=off. A -mod flag in GOFLAGS is
// dropped: the workspace refuses -mod=mod, and the stand-alone check sets its own.
func dirGo(dir string, inWorkspace bool, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	gowork := "GOWORK=off"
	if inWorkspace {
		gowork = "GOWORK=" + filepath.Join(dir, "go.work")
	}
	var flags []string
	for _, f := range strings.Fields(os.Getenv("GOFLAGS")) {
		if !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
			flags = append(flags, f)
		}
	}
	cmd.Env = append(os.Environ(), gowork, "GOFLAGS="+strings.Join(flags, " "))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("(cd %s && %s go %s): %v\n%s", dir, gowork, strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

type dirModFile struct {
	Module  struct{ Path string }
	Require []struct {
		Path     string
		Version  string
		Indirect bool
	}
	Replace []struct {
		Old struct{ Path, Version string }
		New struct{ Path, Version string }
	}
}

// dirGoMod reads dir/go.mod through `go mod edit -json`, the go command's own parser.
func dirGoMod(dir string) (dirModFile, error) {
	var mf dirModFile
	out, err := dirGo(dir, false, "mod", "edit", "-json", filepath.Join(dir, "go.mod"))
	if err != nil {
		return mf, err
	}
	if err := json.Unmarshal(out, &mf); err != nil {
		return mf, fmt.Errorf("go mod edit -json %s: %v", filepath.Join(dir, "go.mod"), err)
	}
	return mf, nil
}

// dirPackage is one package of `go list -deps -json`.
type dirPackage struct {
	ImportPath string
	Imports    []string
	Module     *struct{ Path string }
}

// dirDeps lists patterns and all they depend on (no test files), in the workspace.
func dirDeps(t *testing.T, ws dirWorkspace, patterns ...string) []dirPackage {
	t.Helper()
	args := append([]string{"list", "-deps", "-json=ImportPath,Imports,Module"}, patterns...)
	out, err := dirGo(ws.root, true, args...)
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []dirPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p dirPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list %s: %v", strings.Join(patterns, " "), err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list -deps %s listed nothing", strings.Join(patterns, " "))
	}
	return pkgs
}

// dirAllowed says whether a package of module from may import a package of module to;
// both are this repository's modules.
func dirAllowed(from, to string) bool {
	switch {
	case from == to:
		return true
	case to == dirRepo+"/shared":
		return true // every module may use shared, and only shared
	case from == dirRepo+"/services/hub":
		return strings.HasPrefix(to, dirRepo+"/services/") // the composition root
	}
	return false
}

// dirCheckEdges fails for every import, among pkgs, from one of this repository's
// modules into another that dirAllowed refuses, naming importer and imported.
func dirCheckEdges(t *testing.T, what string, pkgs []dirPackage) {
	t.Helper()
	moduleOf := map[string]string{}
	for _, p := range pkgs {
		if p.Module != nil {
			moduleOf[p.ImportPath] = p.Module.Path
		}
	}
	checked := 0
	for _, p := range pkgs {
		from := moduleOf[p.ImportPath]
		if !strings.HasPrefix(from, dirRepo+"/") {
			continue
		}
		for _, imp := range p.Imports {
			to := moduleOf[imp]
			if !strings.HasPrefix(to, dirRepo+"/") {
				continue
			}
			checked++
			if !dirAllowed(from, to) {
				t.Errorf("%s: %s (module %s) imports %s (module %s); a service imports shared and its own packages, only the hub imports services",
					what, p.ImportPath, from, imp, to)
			}
		}
	}
	if checked == 0 {
		t.Errorf("%s: no import between this repository's packages was listed; go list output not understood", what)
	}
}

// TestDirectionOfImports: no service links another service's packages, shared links no
// service, deploy links only shared, and only the hub links services.
func TestDirectionOfImports(t *testing.T) {
	ws := workspace(t)
	for _, mod := range slices.Sorted(maps.Keys(ws.modules)) {
		rel, _ := strings.CutPrefix(mod, dirRepo+"/")
		pattern := "./" + rel // a service's binary: its main package
		if !strings.HasPrefix(rel, "services/") {
			pattern += "/..." // shared, deploy: every package
		}
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			pkgs := dirDeps(t, ws, pattern)
			dirCheckEdges(t, pattern, pkgs)
		})
	}
}

// TestDirectionEditorLinksNoGoogleClient: the editor checks YouTube's field rules through
// shared/ytfields; its binary does not carry Google's API client.
func TestDirectionEditorLinksNoGoogleClient(t *testing.T) {
	ws := workspace(t)
	pkgs := dirDeps(t, ws, "./services/editor")
	forbidden := func(path string) bool {
		return strings.HasPrefix(path, "google.golang.org/api/") || path == "google.golang.org/api" ||
			strings.HasPrefix(path, "cloud.google.com/")
	}
	for _, p := range pkgs {
		if forbidden(p.ImportPath) {
			continue // named where it enters the editor's dependencies
		}
		for _, imp := range p.Imports {
			if forbidden(imp) {
				t.Errorf("the editor's binary links %s: imported by %s", imp, p.ImportPath)
			}
		}
	}
}

// TestDirectionGoModVersionsAgree: a dependency required by several go.mod files is
// required at one version in all of them, and each of this repository's modules that a
// go.mod requires is replaced by its directory, so the module builds outside go.work.
func TestDirectionGoModVersionsAgree(t *testing.T) {
	ws := workspace(t)
	versions := map[string]map[string][]string{} // dependency → version → go.mod files
	for mod, dir := range ws.modules {
		mf, err := dirGoMod(dir)
		if err != nil {
			t.Fatal(err)
		}
		gomod, _ := filepath.Rel(ws.root, filepath.Join(dir, "go.mod"))
		replaced := map[string]string{}
		for _, r := range mf.Replace {
			replaced[r.Old.Path] = r.New.Path
		}
		for _, r := range mf.Require {
			if versions[r.Path] == nil {
				versions[r.Path] = map[string][]string{}
			}
			versions[r.Path][r.Version] = append(versions[r.Path][r.Version], gomod)
			target, ours := ws.modules[r.Path]
			if !ours {
				continue
			}
			to, ok := replaced[r.Path]
			if !ok {
				t.Errorf("%s (module %s) requires %s without replacing it by its directory: it builds only inside go.work", gomod, mod, r.Path)
				continue
			}
			if filepath.Clean(filepath.Join(dir, filepath.FromSlash(to))) != filepath.Clean(target) {
				t.Errorf("%s replaces %s by %s, not by the module's directory %s", gomod, r.Path, to, target)
			}
		}
	}
	for _, dep := range slices.Sorted(maps.Keys(versions)) {
		if len(versions[dep]) < 2 {
			continue
		}
		var where []string
		for _, v := range slices.Sorted(maps.Keys(versions[dep])) {
			files := versions[dep][v]
			sort.Strings(files)
			where = append(where, fmt.Sprintf("%s in %s", v, strings.Join(files, ", ")))
		}
		t.Errorf("%s is required at different versions: %s (go work sync, then GOWORK=off go mod tidy in each)", dep, strings.Join(where, "; "))
	}
}

// TestDirectionModulesStandAlone: each module, tests included, resolves every import
// from its own go.mod and go.sum, without go.work.
func TestDirectionModulesStandAlone(t *testing.T) {
	ws := workspace(t)
	for _, mod := range slices.Sorted(maps.Keys(ws.modules)) {
		dir := ws.modules[mod]
		rel, _ := filepath.Rel(ws.root, dir)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			t.Parallel()
			if _, err := dirGo(dir, false, "list", "-mod=readonly", "-deps", "-test", "-f", "{{.ImportPath}}", "./..."); err != nil {
				t.Errorf("module %s does not build outside the workspace: its go.mod does not require what it imports:\n%v", mod, err)
			}
		})
	}
}
