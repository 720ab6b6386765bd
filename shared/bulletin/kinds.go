package bulletin

// The kinds of problem Parse reports (FieldError.Kind), with the Args each carries. They
// are stable names, not sentences: the editor maps each to a sentence in staff's
// language, so none of Msg's English or file words reaches a Catalan reader.
const (
	KindTooLarge       = "tooLarge"       // Args: KiB given (int), KiB allowed (int)
	KindNotUTF8        = "notUTF8"        // the file is not UTF-8 text
	KindNoFrontMatter  = "noFrontMatter"  // no opening --- line
	KindNotClosed      = "notClosed"      // no closing --- line
	KindNotYAML        = "notYAML"        // Args: the YAML parser's own words (string)
	KindNotFields      = "notFields"      // the front matter is not a list of fields
	KindBadFileName    = "badFileName"    // no id, and the file name is none; Args: the name
	KindMissing        = "missing"        // a required field is absent
	KindMissingOneOf   = "missingOneOf"   // Args: the allowed values, joined
	KindEmpty          = "empty"          // a field given with no value
	KindEmptyBody      = "emptyBody"      // no text below the front matter
	KindTwice          = "twice"          // Args: the line it was first given on (int)
	KindTwiceHere      = "twiceHere"      // given twice in its block
	KindBadID          = "badID"          // Args: the value, the longest allowed (int)
	KindBadLang        = "badLang"        // Args: the value
	KindBadGroup       = "badGroup"       // Args: the value
	KindNotBool        = "notBool"        // Args: the value
	KindUnknownField   = "unknownField"   // Args: the known fields, joined
	KindUnknownHint    = "unknownHint"    // Args: the known field meant
	KindNotSingle      = "notSingle"      // a list or block where one value goes
	KindMultiline      = "multiline"      // a title of more than one line
	KindTooLong        = "tooLong"        // Args: characters (int), the limit (int)
	KindControl        = "control"        // a control character
	KindNotTime        = "notTime"        // Args: the accepted layout
	KindNotList        = "notList"        // a block where a list goes
	KindNoChannel      = "noChannel"      // Args: the known channels, joined
	KindNotChannel     = "notChannel"     // an item of channels is not a name
	KindUnknownChannel = "unknownChannel" // Args: the value, the known channels joined
	KindChannelTwice   = "channelTwice"   // Args: the value
	KindTooMany        = "tooMany"        // Args: tags given (int), the limit (int)
	KindBadTag         = "badTag"         // a tag that is not a short word
	KindNotLiveBlock   = "notLiveBlock"   // live: is not a block
	KindNoStart        = "noStart"        // a live block without start
	KindNotAlertBlock  = "notAlertBlock"  // alert: is not a block
	KindNotAllowed     = "notAllowed"     // Args: the value, the allowed values joined
	KindNoCategory     = "noCategory"     // Args: the allowed values joined
	KindAlertNeedsWeb  = "alertNeedsWeb"  // an alert on a bulletin without the web channel
	KindExpiresEarly   = "expiresEarly"   // Args: expires, publish_at (time.Time)
)
