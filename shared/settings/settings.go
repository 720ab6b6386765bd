// Package settings is how every pregoner service reads its configuration: one
// declarative table per service — variable, default, meaning, check — that drives the
// loading, the service's --help and the table in its README, so the three never drift
// and every service names and refuses settings the same way.
//
// A service declares its table next to its Config:
//
//	func (c *Config) Settings() settings.Table {
//		return settings.Table{
//			{Var: "TELEGRAM_CHAT_ID", Default: "@lapaeriaexplica", Meaning: "the channel bulletins go to",
//				Parse: settings.Match(&c.ChatID, chatRE, "@name or a numeric chat id")},
//		}
//	}
//
// and loads it with Load(getenv), which reports every bad setting at once, each as
// "VAR: <what is wrong> (want <what is right>)", never echoing a secret.
package settings

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// Setting is one environment variable a service reads.
type Setting struct {
	// Var is the variable's name: SERVICE_THING for a service's own settings, NATS_*
	// for the bus, ADMIN_ADDR for the admin address.
	Var string
	// Default applies when the variable is unset or empty; "" means none.
	Default string
	// Meaning says in one line what it is for (for --help and the README).
	Meaning string
	// Secret values are never echoed in errors, --help or logs.
	Secret bool
	// File allows VAR_FILE instead: a file holding the value (a mounted secret).
	File bool
	// Required refuses an empty value.
	Required bool
	// Parse checks the value and stores it; its error says what is wrong and what is
	// wanted, without the variable's name. nil stores nothing (a documented setting
	// another part reads).
	Parse func(value string) error
}

// Table is a service's settings, in the order --help lists them.
type Table []Setting

// Load reads every setting through getenv (os.Getenv in main) and returns every
// problem at once, each naming its variable.
func (t Table) Load(getenv func(string) string) error {
	var errs []error
	for _, s := range t {
		if err := s.load(getenv); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s Setting) load(getenv func(string) string) error {
	v := strings.TrimSpace(getenv(s.Var))
	if s.File {
		if f := strings.TrimSpace(getenv(s.Var + "_FILE")); f != "" {
			if v != "" {
				return fmt.Errorf("%s: set %s or %s_FILE, not both", s.Var, s.Var, s.Var)
			}
			data, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("%s_FILE: %w", s.Var, err)
			}
			v = strings.TrimSpace(string(data))
		}
	}
	if v == "" {
		v = s.Default
	}
	if v == "" {
		if s.Required {
			return fmt.Errorf("%s: not set (%s)", s.Var, s.Meaning)
		}
		return nil
	}
	if s.Parse == nil {
		return nil
	}
	if err := s.Parse(v); err != nil {
		if s.Secret {
			return fmt.Errorf("%s: not valid (%s)", s.Var, wantOf(err))
		}
		return fmt.Errorf("%s: %w", s.Var, err)
	}
	return nil
}

// wantOf keeps only the "want …" part of a parse error, so a secret's value never
// appears in a message.
func wantOf(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "(want "); i >= 0 {
		return strings.TrimSuffix(msg[i+1:], ")")
	}
	return "see --help"
}

// Help writes the table for --help: variable, default and meaning, aligned.
func (t Table) Help(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  VARIABLE\tDEFAULT\tMEANING")
	for _, s := range t {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.name(), orDash(s.Default), s.Meaning)
	}
	return tw.Flush()
}

// Markdown is the table as the service's README shows it; a test keeps the README equal
// to it.
func (t Table) Markdown() string {
	var b strings.Builder
	b.WriteString("| variable | default | meaning |\n|---|---|---|\n")
	for _, s := range t {
		def := "—"
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.name(), def, strings.ReplaceAll(s.Meaning, "|", `\|`))
	}
	return b.String()
}

func (s Setting) name() string {
	if s.File {
		return s.Var + " (or " + s.Var + "_FILE)"
	}
	return s.Var
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
