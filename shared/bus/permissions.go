package bus

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
)

// The users of the bus: one per service, and admin for setup and people's tools. The
// service users' names are also their inbox prefixes' (InboxPrefix).
const (
	UserAdmin    = "admin"
	UserEditor   = "editor"
	UserTelegram = "telegram"
	UserYouTube  = "youtube"
	UserWeb      = "web"
	// UserCLI is the editor command line's key (the hub writes it as cli.nk): it may only
	// ask the editor to act, on EditorRequests, and read the answers in its own inbox.
	UserCLI = "cli"
)

// EditorRequests is the subject prefix the editor answers the command line's requests
// on ("<prefix>.first-admin"): a subject under the editor's own inbox, which only the
// editor may subscribe to, and which nats.go never uses for its own replies (those are
// _INBOX_editor.<nuid>...). The editor answers with its response permission
// (Grant.AllowResponses): one message to the request's reply subject.
var EditorRequests = InboxPrefix(UserEditor) + ".cli"

// EditorFirstAdmin is the one request the command line may make without a login: create
// the first administrator while there is no account at all.
var EditorFirstAdmin = EditorRequests + ".first-admin"

// Grant is what one service's user may do on the bus. The hub's embedded server and
// deploy/nats/accounts.conf (generated from Grants; a test in deploy compares them) both
// take it from here, so a permission cannot be right on one and wrong on the other.
type Grant struct {
	User string
	// Why is the comment above the user's block in accounts.conf.
	Why []string
	// Publish are the subjects the user may publish to; an entry starting with "#" is a
	// comment in accounts.conf and no subject.
	Publish []string
	// Deny carves out of Publish what its wildcards would let through.
	Deny []string
	// AllowResponses lets the user answer a request it received: one message to its
	// reply subject, within two minutes (nats-server's allow_responses defaults).
	AllowResponses bool
}

// Subscribe is what the user may subscribe to: only its own inbox, where its replies,
// ordered consumers and watches deliver. Not _INBOX.>: with it one user could capture
// another's replies (the editor's key-value reads, account records included).
func (g Grant) Subscribe() []string { return []string{InboxPrefix(g.User) + ".>"} }

// SetupOnly are the stream operations no service user may do, whatever its allow list
// says: creating, changing, purging and deleting streams (buckets are streams too) is the
// set-up's, run with the admin key (bus.Setup). Every grant denies them.
var SetupOnly = []string{
	"$JS.API.STREAM.CREATE.*",
	"$JS.API.STREAM.UPDATE.*",
	"$JS.API.STREAM.DELETE.*",
	"$JS.API.STREAM.PURGE.*",
}

// Grants lists the service users' permissions in accounts.conf's order. Admin is not
// here: it may do everything in the account.
func Grants() []Grant {
	gs := grants()
	for i := range gs {
		gs[i].Deny = slices.Concat(gs[i].Deny, SetupOnly)
	}
	return gs
}

func grants() []Grant {
	channelWorker := func(ch string) []string {
		return []string{
			"$JS.API.INFO",
			"$JS.API.STREAM.INFO.BULLETINS",
			"$JS.API.STREAM.MSG.GET.BULLETINS",
			"$JS.API.CONSUMER.CREATE.BULLETINS." + ch,
			"$JS.API.CONSUMER.INFO.BULLETINS." + ch,
			"$JS.API.CONSUMER.MSG.NEXT.BULLETINS." + ch,
			"$JS.ACK.BULLETINS." + ch + ".>",
		}
	}
	ownRecords := func(ch string) []string {
		return []string{
			"$JS.API.STREAM.INFO.KV_DELIVERIES",
			"$JS.API.DIRECT.GET.KV_DELIVERIES.$KV.DELIVERIES.*." + ch,
			"$KV.DELIVERIES.*." + ch,
		}
	}
	return []Grant{
		{
			User: UserTelegram,
			Why: []string{
				"A channel worker: reads its own consumer, reads the bulletins' latest revisions, reads",
				"and writes only its own channel's delivery records (and the Telegram worker its own",
				"bucket). It cannot publish a bulletin, touch another channel's consumer or records,",
				"or create, change, purge or delete any stream: the set-up is the admin's. It reads",
				"YouTube's records (for broadcast links) and may re-drive its own channel only.",
			},
			Publish: slices.Concat(channelWorker(UserTelegram), ownRecords(UserTelegram), []string{
				"# its own journal, which the set-up creates: per bulletin the messages it shows,",
				"# per chat the newest message id and the send in flight (services/telegram)",
				"$JS.API.STREAM.INFO.KV_TELEGRAM_POSTS",
				"$JS.API.DIRECT.GET.KV_TELEGRAM_POSTS.>",
				"$KV.TELEGRAM_POSTS.>",
				"# a live announcement's broadcast link: it reads and watches YouTube's records",
				"# (only those) and asks its own worker to refresh the post (re-drive, telegram only)",
				"$JS.API.DIRECT.GET.KV_DELIVERIES.$KV.DELIVERIES.*.youtube",
				"$JS.API.CONSUMER.CREATE.KV_DELIVERIES.*.$KV.DELIVERIES.*.youtube",
				"$JS.API.CONSUMER.INFO.KV_DELIVERIES.*",
				"$JS.API.CONSUMER.DELETE.KV_DELIVERIES.*",
				"$JS.FC.KV_DELIVERIES.>",
				"redrive.telegram.*",
			}),
		},
		{
			User: UserYouTube,
			Publish: slices.Concat(channelWorker(UserYouTube), ownRecords(UserYouTube), []string{
				"# its own bucket: the quota day every replica shares (created by the set-up,",
				"# read and compare-and-set; see services/youtube/README.md)",
				"$JS.API.STREAM.INFO.KV_YOUTUBE_QUOTA",
				"$JS.API.DIRECT.GET.KV_YOUTUBE_QUOTA.$KV.YOUTUBE_QUOTA.>",
				"$KV.YOUTUBE_QUOTA.>",
			}),
		},
		{
			User: UserWeb,
			Why: []string{
				"The web service: the web channel's worker, plus the page, which follows every bulletin",
				"(ordered consumers on BULLETINS) and watches every delivery record (for YouTube links).",
				"It publishes nothing but its own channel's records, and reads no staff bucket.",
			},
			Publish: slices.Concat(channelWorker(UserWeb), []string{
				"# ordered consumers that read the stream (never the other channels' durables)",
				"$JS.API.CONSUMER.CREATE.BULLETINS.*.>",
				"$JS.API.CONSUMER.INFO.BULLETINS.*",
				"$JS.API.CONSUMER.MSG.NEXT.BULLETINS.*",
				"$JS.API.CONSUMER.DELETE.BULLETINS.*",
				"$JS.API.STREAM.INFO.KV_DELIVERIES",
				"$JS.API.DIRECT.GET.KV_DELIVERIES.>",
				"$JS.API.CONSUMER.CREATE.KV_DELIVERIES",
				"$JS.API.CONSUMER.CREATE.KV_DELIVERIES.>",
				"$JS.API.CONSUMER.INFO.KV_DELIVERIES.*",
				"$JS.API.CONSUMER.DELETE.KV_DELIVERIES.*",
				"$JS.FC.KV_DELIVERIES.>",
				"$KV.DELIVERIES.*.web",
			}),
			Deny: []string{
				"$JS.API.CONSUMER.*.BULLETINS.telegram",
				"$JS.API.CONSUMER.*.BULLETINS.youtube",
				"$JS.API.CONSUMER.CREATE.BULLETINS.telegram.>",
				"$JS.API.CONSUMER.CREATE.BULLETINS.youtube.>",
				"$JS.API.CONSUMER.CREATE.BULLETINS.web.>",
				"$JS.API.CONSUMER.MSG.NEXT.BULLETINS.telegram",
				"$JS.API.CONSUMER.MSG.NEXT.BULLETINS.youtube",
				"$JS.API.CONSUMER.DELETE.BULLETINS.web",
			},
		},
		editorGrant(),
		{
			User: UserCLI,
			Why: []string{
				"The editor's command line (the hub's cli.nk): it can only ask the editor to act. It",
				"sends requests the editor answers (the first administrator, while there is no account;",
				"nothing else) and reads the answers in its own inbox. It reads no bucket, stream or",
				"record and publishes no bulletin. The hub writes its key as cli.nk, the cluster's",
				"gen-creds.sh as cli.nk next to the others'; no service mounts it.",
			},
			Publish: []string{EditorRequests + ".>"},
		},
	}
}

func editorGrant() Grant {
	return Grant{
		User: UserEditor,
		Why: []string{
			"The editor: the only publisher of bulletins, retractions and re-drive requests; reads",
			"every bulletin and record; writes records only to re-drive a dead delivery; owns the",
			"schedules and its own staff buckets (accounts, sessions, API tokens, drafts) and audit",
			"trail. Like every service it only binds to them: it may not create, change, purge or",
			"delete a stream (the set-up, bus.Setup, is the admin's). It never takes work from a",
			"channel's consumer. It answers the command line's requests (allow_responses).",
		},
		AllowResponses: true,
		Publish: []string{
			"bulletins.*",
			"redrive.*.*",
			"$JS.API.INFO",
			"$JS.API.STREAM.INFO.*",
			"$JS.API.STREAM.MSG.GET.BULLETINS",
			"$JS.API.DIRECT.GET.>",
			"$JS.API.CONSUMER.CREATE.*.*.>",
			"$JS.API.CONSUMER.CREATE.KV_DELIVERIES",
			"$JS.API.CONSUMER.CREATE.KV_SCHEDULES",
			"$JS.API.CONSUMER.CREATE.KV_ACCOUNTS",
			"$JS.API.CONSUMER.CREATE.KV_SESSIONS",
			"$JS.API.CONSUMER.CREATE.KV_TOKENS",
			"$JS.API.CONSUMER.INFO.*.*",
			"$JS.API.CONSUMER.MSG.NEXT.*.*",
			"$JS.API.CONSUMER.DELETE.*.*",
			"$JS.FC.>",
			"$KV.DELIVERIES.>",
			"$KV.SCHEDULES.>",
			"$KV.ACCOUNTS.>",
			"$KV.SESSIONS.>",
			"$KV.TOKENS.>",
			"# The audit trail (stream AUDIT, subjects audit.>) and the drafts bucket.",
			"audit.>",
			"$JS.API.STREAM.MSG.GET.AUDIT",
			"$JS.API.CONSUMER.CREATE.AUDIT",
			"$JS.API.CONSUMER.CREATE.AUDIT.*", // an ordered reader of the whole trail (no filter)
			"$KV.DRAFTS.>",
			"$JS.API.CONSUMER.CREATE.KV_DRAFTS",
			"$JS.API.CONSUMER.CREATE.KV_DRAFTS.>", // one bulletin's drafts: a reader with filters
		},
		Deny: []string{
			"$JS.API.CONSUMER.*.BULLETINS.telegram",
			"$JS.API.CONSUMER.*.BULLETINS.youtube",
			"$JS.API.CONSUMER.*.BULLETINS.web",
			"$JS.API.CONSUMER.CREATE.BULLETINS.telegram.>",
			"$JS.API.CONSUMER.CREATE.BULLETINS.youtube.>",
			"$JS.API.CONSUMER.CREATE.BULLETINS.web.>",
			"$JS.API.CONSUMER.MSG.NEXT.BULLETINS.telegram",
			"$JS.API.CONSUMER.MSG.NEXT.BULLETINS.youtube",
			"$JS.API.CONSUMER.MSG.NEXT.BULLETINS.web",
		},
	}
}

// ServerPermissions is user's permission set as nats-server takes it: nil (everything)
// for admin, an error for a user that is not the bus's, so a typo cannot grant all.
func ServerPermissions(user string) (*server.Permissions, error) {
	if user == UserAdmin {
		return nil, nil
	}
	for _, g := range Grants() {
		if g.User != user {
			continue
		}
		var allow []string
		for _, s := range g.Publish {
			if !strings.HasPrefix(s, "#") {
				allow = append(allow, s)
			}
		}
		p := &server.Permissions{
			Publish:   &server.SubjectPermission{Allow: allow, Deny: slices.Clone(g.Deny)},
			Subscribe: &server.SubjectPermission{Allow: g.Subscribe()},
		}
		if g.AllowResponses {
			p.Response = &server.ResponsePermission{MaxMsgs: server.DEFAULT_ALLOW_RESPONSE_MAX_MSGS,
				Expires: server.DEFAULT_ALLOW_RESPONSE_EXPIRATION}
		}
		return p, nil
	}
	return nil, fmt.Errorf("bus: no user %q", user)
}

// PermissionsConf renders Grants as accounts.conf's <USER>_PERMISSIONS variables, but
// for the hub-only users'.
func PermissionsConf() string {
	var b strings.Builder
	n := 0
	for _, g := range Grants() {
		if n++; n > 1 {
			b.WriteString("\n")
		}
		for _, l := range g.Why {
			b.WriteString("# " + l + "\n")
		}
		fmt.Fprintf(&b, "%s_PERMISSIONS: {\n  publish: {\n    allow: [\n", strings.ToUpper(g.User))
		for _, s := range g.Publish {
			if strings.HasPrefix(s, "#") {
				b.WriteString("      " + s + "\n")
			} else {
				fmt.Fprintf(&b, "      %q\n", s)
			}
		}
		b.WriteString("    ]\n")
		if len(g.Deny) > 0 {
			b.WriteString("    deny: [\n")
			for _, s := range g.Deny {
				fmt.Fprintf(&b, "      %q\n", s)
			}
			b.WriteString("    ]\n")
		}
		fmt.Fprintf(&b, "  }\n  subscribe: { allow: [%q] }\n", g.Subscribe()[0])
		if g.AllowResponses {
			b.WriteString("  allow_responses: true\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}
