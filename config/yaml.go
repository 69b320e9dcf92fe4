package config

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// loadYAML applies a config file. Groups nest (scheduler:\n  lanes: 2 sets
// scheduler.lanes); a dotted key at the top level works too. The gears: map
// holds RedisGears pairs, kept in file order; a list value repeats its key
// (Plugin: [a.so, b.so]). Scalars are taken as written, so yes/no, 5s and
// quoted strings all reach the table's own parser.
func (c *Config) loadYAML(data []byte, source string) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil // an empty file
	}
	root := deref(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: expected a mapping of settings", source, root.Line)
	}
	return c.walkYAML(root, "", source)
}

func (c *Config) walkYAML(m *yaml.Node, prefix, source string) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], deref(m.Content[i+1])
		where := fmt.Sprintf("%s:%d", source, k.Line)
		name := prefix + k.Value
		if prefix == "" && strings.EqualFold(k.Value, GearsKey) {
			if err := c.gearsYAML(v, where, source); err != nil {
				return err
			}
			continue
		}
		switch v.Kind {
		case yaml.MappingNode:
			if err := c.walkYAML(v, name+".", source); err != nil {
				return err
			}
		case yaml.ScalarNode:
			if err := c.setAtLoad(name, scalar(v), where); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: setting '%s' takes one value, not a list", where, name)
		}
	}
	return nil
}

func (c *Config) gearsYAML(v *yaml.Node, where, source string) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: %s must be a mapping of RedisGears keys to values", where, GearsKey)
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], deref(v.Content[i+1])
		switch val.Kind {
		case yaml.ScalarNode:
			c.gears = append(c.gears, [2]string{k.Value, scalar(val)})
		case yaml.SequenceNode:
			for _, item := range val.Content {
				item = deref(item)
				if item.Kind != yaml.ScalarNode {
					return fmt.Errorf("%s:%d: %s.%s: list items must be plain values", source, item.Line, GearsKey, k.Value)
				}
				c.gears = append(c.gears, [2]string{k.Value, scalar(item)})
			}
		default:
			return fmt.Errorf("%s:%d: %s.%s must be a value or a list of values", source, k.Line, GearsKey, k.Value)
		}
	}
	return nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// scalar returns a scalar's text; a YAML null (key with no value, or ~) is "".
func scalar(n *yaml.Node) string {
	if n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// plainYAML matches the values that need no quotes in YAML.
var plainYAML = regexp.MustCompile(`^[A-Za-z0-9_./-][A-Za-z0-9_./:-]*$`)

func quoteYAML(s string) string {
	if plainYAML.MatchString(s) {
		return s
	}
	return strconv.Quote(s)
}

// WriteYAML writes the table as a commented config file holding every
// setting at its default: config.yaml at the repository root is this output.
func WriteYAML(w io.Writer) error {
	var b strings.Builder
	b.WriteString(`# gearsd configuration: every setting with its default.
#
# Use it as a starting point: gearsd --config config.yaml
# Each setting is read, in order, from its default, this file, the environment
# (GEARSD_<NAME>, upper case, "." and "-" as "_": GEARSD_SCHEDULER_LANES=2),
# then the command line (--<name> <value>: --port 6380 --scheduler.lanes 2).
# "gearsd --help" lists the settings; CONFIG GET/SET use the dotted names.
# Durations take Go syntax (5s, 1m30s) or an integer of seconds.
#
# Written by config.WriteYAML from config/settings.go; regenerate it with
#   go test ./config -run TestConfigYAMLUpToDate -update
`)
	group := ""
	for _, s := range table {
		g, leaf, dotted := strings.Cut(s.Name, ".")
		if !dotted {
			g, leaf = "", s.Name
		}
		indent := ""
		if g != "" {
			indent = "  "
		}
		if g != group {
			fmt.Fprintf(&b, "\n%s:\n", g)
			group = g
		} else {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s# %s\n", indent, s.Description)
		var notes []string
		if s.Type == Enum {
			notes = append(notes, "One of "+strings.Join(s.Values, ", ")+".")
		}
		if !s.Runtime {
			notes = append(notes, "Fixed at start (CONFIG SET refuses it).")
		}
		if len(notes) > 0 {
			fmt.Fprintf(&b, "%s# %s\n", indent, strings.Join(notes, " "))
		}
		fmt.Fprintf(&b, "%s%s: %s\n", indent, leaf, quoteYAML(s.Default))
	}
	b.WriteString(`
# RedisGears configuration pairs, passed in this order to the gears engine at
# start as RedisGears 1.2 takes its module arguments: engine keys such as
# MaxExecutions, MaxExecutionsPerRegistration, ProfileExecutions; Python keys
# such as PythonAttemptTraceback; and any extra key, readable from Python with
# configGet. A list repeats its key. Also: --gears.<Key> <value> on the command
# line, GEARSD_GEARS="<Key> <value> ..." in the environment.
gears: {}
#  MaxExecutions: 1000
#  ProfileExecutions: 0
#  MyAppSetting: some-value
`)
	_, err := io.WriteString(w, b.String())
	return err
}
