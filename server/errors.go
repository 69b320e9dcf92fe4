package server

// Error texts, copied from Redis 7.0.15 (Debian's redis-server, the version
// compare_test.go checks against) unless marked as gearsd's own. Each already
// carries its code: the encoder writes texts as they are.
const (
	msgUnknownCommand    = "ERR unknown command '%.128s', with args beginning with: %s"
	msgUnknownSubcommand = "ERR unknown subcommand '%.128s'. Try %s HELP."
	msgWrongArity        = "ERR wrong number of arguments for '%s' command"
	msgSyntax            = "ERR syntax error"
	msgNotInteger        = "ERR value is not an integer or out of range"
	msgNotFloat          = "ERR value is not a valid float"
	msgNoAuth            = "NOAUTH Authentication required."
	msgWrongPass         = "WRONGPASS invalid username-password pair or user is disabled."
	msgAuthNoPassword    = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	msgHelloNoAuth       = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
	msgHelloBadProto     = "ERR Protocol version is not an integer or out of range"
	msgHelloNoProto      = "NOPROTO unsupported protocol version"
	msgHelloOption       = "ERR Syntax error in HELLO option '%s'"
	msgDBOutOfRange      = "ERR DB index is out of range"
	msgBadClientName     = "ERR Client names cannot contain spaces, newlines or special characters."
	msgNoSuchClient      = "ERR No such client"
	msgInvalidClientID   = "ERR Invalid client ID"
	msgClientIDPositive  = "ERR client-id should be greater than 0"
	msgMaxClients        = "ERR max number of clients reached"
	msgProtectedMode     = "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."
	msgConfigUnknown     = "ERR Unknown option or number of arguments for CONFIG SET - '%s'"
	msgConfigSetFailed   = "ERR CONFIG SET failed (possibly related to argument '%s') - %s"
	msgConfigNoFile      = "ERR The server is running without a config file"
	msgNoShutdown        = "ERR No shutdown in progress."
	msgDebugSyntax       = "ERR Syntax error, try DEBUG HELP"

	// gearsd's own texts.

	// HELLO 3: Redis 7 speaks RESP3, gearsd does not yet; the text is Redis
	// 6's answer to a protocol it did not know.
	msgHelloNoResp3 = "NOPROTO sorry, this protocol version is not supported"
	// SETINFO is Redis 7.2's; these are its texts.
	msgSetInfoAttr  = "ERR Unrecognized option '%s'"
	msgSetInfoValue = "ERR %s cannot contain spaces, newlines or special characters."
	// CONFIG REWRITE with a config file: gearsd keeps YAML comments and
	// layout of the operator's file, so it does not rewrite it.
	msgConfigRewrite = "ERR CONFIG REWRITE is not supported: edit %s instead"
	// A handler panicked: the connection survives, the log has the stack.
	msgInternal = "ERR internal error while running '%s': %v"
)
