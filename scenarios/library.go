package scenarios

import (
	"embed"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

//go:embed library
var library embed.FS

// DefaultName is the library scenario `fleetsim run` runs with no argument.
const DefaultName = "web-and-batch"

// Entry is one library scenario.
type Entry struct {
	Name        string
	Description string
}

// Library lists the shipped scenarios, by name.
func Library() []Entry {
	files, _ := fs.Glob(library, "library/*.toml")
	slices.Sort(files)
	var out []Entry
	for _, f := range files {
		var head struct {
			Description string `toml:"description"`
		}
		src, _ := fs.ReadFile(library, f)
		_, _ = toml.Decode(string(src), &head) // the library is tested to parse
		out = append(out, Entry{Name: strings.TrimSuffix(path.Base(f), ".toml"), Description: head.Description})
	}
	return out
}

// LibraryFS is the embedded library, rooted at its folder.
func LibraryFS() fs.FS {
	sub, _ := fs.Sub(library, "library")
	return sub
}

// Resolve loads what the user named: nothing (the default library scenario),
// a library scenario's name, or a path to a TOML file. A name that is both a
// file and a library entry means the file.
func Resolve(arg string) (*Scenario, error) {
	if arg == "" {
		arg = DefaultName
	}
	if _, err := os.Stat(arg); err == nil || strings.ContainsAny(arg, "/\\") || strings.HasSuffix(arg, ".toml") {
		return LoadFile(arg)
	}
	if _, err := fs.Stat(LibraryFS(), arg+".toml"); err == nil {
		return Load(LibraryFS(), arg+".toml", "library/"+arg+".toml")
	}
	var names []string
	for _, e := range Library() {
		names = append(names, e.Name)
	}
	pr := Problem{File: arg, Want: "a scenario file or a library scenario (" + strings.Join(names, ", ") + ")", Got: "neither"}
	if c := closest(arg, names); c != "" {
		pr.Hint = "did you mean " + c + "?"
	}
	return nil, Problems{pr}
}
