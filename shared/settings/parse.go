package settings

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The parsers below store a checked value in the field they are given. Their errors
// name the value and what is wanted: "\"abc\" is not a duration (want e.g. 30s, 5m)".

// String stores any value.
func String(dst *string) func(string) error {
	return func(v string) error { *dst = v; return nil }
}

// Match stores a value matching re; want describes it in words.
func Match(dst *string, re *regexp.Regexp, want string) func(string) error {
	return func(v string) error {
		if !re.MatchString(v) {
			return fmt.Errorf("%q does not fit (want %s)", v, want)
		}
		*dst = v
		return nil
	}
}

// OneOf stores one of the allowed values.
func OneOf(dst *string, allowed ...string) func(string) error {
	return func(v string) error {
		if !slices.Contains(allowed, v) {
			return fmt.Errorf("%q is not allowed (want one of %s)", v, strings.Join(allowed, ", "))
		}
		*dst = v
		return nil
	}
}

// Int stores a whole number from lo to hi.
func Int(dst *int, lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%q is out of range (want a whole number from %d to %d)", v, lo, hi)
		}
		*dst = n
		return nil
	}
}

// Float stores a number from lo to hi.
func Float(dst *float64, lo, hi float64) func(string) error {
	return func(v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < lo || f > hi {
			return fmt.Errorf("%q is out of range (want a number from %g to %g)", v, lo, hi)
		}
		*dst = f
		return nil
	}
}

// Duration stores a duration from lo to hi.
func Duration(dst *time.Duration, lo, hi time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			return fmt.Errorf("%q is not a duration from %s to %s (want e.g. 30s, 5m)", v, lo, hi)
		}
		*dst = d
		return nil
	}
}

// Bool stores true for 1, true, yes, on and false for 0, false, no, off.
func Bool(dst *bool) func(string) error {
	return func(v string) error {
		switch strings.ToLower(v) {
		case "1", "true", "yes", "on":
			*dst = true
		case "0", "false", "no", "off":
			*dst = false
		default:
			return fmt.Errorf("%q is not a yes or no (want 1 or 0)", v)
		}
		return nil
	}
}

// Addr stores a host:port to listen on.
func Addr(dst *string) func(string) error {
	return func(v string) error {
		_, port, err := net.SplitHostPort(v)
		if err == nil {
			_, err = strconv.ParseUint(port, 10, 16)
		}
		if err != nil {
			return fmt.Errorf("%q is not an address (want host:port, e.g. 127.0.0.1:8080)", v)
		}
		*dst = v
		return nil
	}
}

// URL stores an absolute http or https URL, without a trailing slash.
func URL(dst *string) func(string) error {
	return func(v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%q is not a web address (want http:// or https:// and a host)", v)
		}
		*dst = strings.TrimRight(v, "/")
		return nil
	}
}

// Location stores a time zone by its IANA name.
func Location(dst **time.Location) func(string) error {
	return func(v string) error {
		loc, err := time.LoadLocation(v)
		if err != nil {
			return fmt.Errorf("%q is not a time zone (want an IANA name, e.g. Europe/Madrid)", v)
		}
		*dst = loc
		return nil
	}
}
