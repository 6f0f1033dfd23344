/**
 * Negotiating permessage-deflate (RFC 7692 §5, §7.1): the options of each
 * side, parsing an offer or a response into its four parameters, and the
 * rules that decide what each side agrees to.
 *
 * @module
 */
import type { ExtensionParam } from '../extensions/extension.js';

/** The extension token (RFC 7692 §7). */
export const EXTENSION_NAME = 'permessage-deflate';

/**
 * Default {@link PerMessageDeflateOptions.threshold}: messages under 1024
 * bytes go out uncompressed. Below about a kilobyte, the deflate header, the
 * per-message flush and the CPU cost outweigh what compression saves.
 */
export const DEFAULT_THRESHOLD = 1024;
/** Default {@link PerMessageDeflateOptions.level}: zlib's default level, 6. */
export const DEFAULT_LEVEL = 6;
/** Default {@link PerMessageDeflateOptions.memLevel}: zlib's default, 8. */
export const DEFAULT_MEM_LEVEL = 8;

/**
 * Options of {@link PerMessageDeflateServer} and {@link PerMessageDeflateClient}.
 * The four negotiation options follow `ws`: each says what this side asks for
 * (client) or insists on / accepts (server).
 */
export interface PerMessageDeflateOptions {
  /**
   * Messages whose payload (UTF-8 bytes for text) is under this many bytes are
   * sent uncompressed, RSV1 clear (RFC 7692 §6 allows it). Default
   * {@link DEFAULT_THRESHOLD} (1024); `0` compresses every message. For a
   * message sent in parts (`fin: false`), its first part decides.
   */
  threshold?: number;
  /** zlib compression level, 0 (stored) to 9 (best). Default {@link DEFAULT_LEVEL} (6). */
  level?: number;
  /**
   * zlib memory level, 1 to 9: the compressor's hash table and pending buffer
   * (2^(memLevel+9) bytes each, roughly). Default {@link DEFAULT_MEM_LEVEL} (8).
   * Lower values save memory per connection (with context takeover) and
   * compress a little worse.
   */
  memLevel?: number;
  /**
   * Server: answer every offer with `server_no_context_takeover`, so the
   * server keeps no compressor between messages (saves memory per connection;
   * offers carrying it are accepted either way). Client: offer
   * `server_no_context_takeover` (ask the server to reset its compressor per
   * message, so this client keeps no inflater between messages). Default `false`.
   */
  serverNoContextTakeover?: boolean;
  /**
   * Server: answer with `client_no_context_takeover` (ask the client to reset
   * its compressor per message, so the server keeps no inflater between
   * messages; also answered whenever the client offers it). Client: offer
   * `client_no_context_takeover` and compress each message on its own.
   * Default `false`.
   */
  clientNoContextTakeover?: boolean;
  /**
   * Server: a number (8–15) caps the server's window: the answer carries
   * `server_max_window_bits` with the smaller of it and the client's value;
   * `false` declines offers that limit the server's window; `true` or
   * omitted accepts whatever the client asks. Client: a number (8–15) offers
   * `server_max_window_bits=N` (the server must compress with at most 2^N
   * bytes of window, so this client's inflater needs no more); `true`, `false`
   * or omitted asks nothing.
   */
  serverMaxWindowBits?: number | boolean;
  /**
   * Server: a number (8–15) asks the client for that window at most (answered
   * as `client_max_window_bits` when the client offered the parameter, which
   * RFC 7692 §7.1.2.2 requires); `true`, `false` or omitted asks nothing.
   * Client: `true` (the default) offers `client_max_window_bits` without a
   * value (the server may pick the client's window); a number offers it with
   * that value (this client compresses with at most that window); `false`
   * leaves it out.
   */
  clientMaxWindowBits?: number | boolean;
}

/** What both sides agreed to (RFC 7692 §7.1), with every window resolved to a number. */
export interface PerMessageDeflateParams {
  /** The server resets its compressor after each message (§7.1.1.1). */
  readonly serverNoContextTakeover: boolean;
  /** The client resets its compressor after each message (§7.1.1.2). */
  readonly clientNoContextTakeover: boolean;
  /** Most window bits the server compresses with (§7.1.2.1); 15 unless agreed lower. */
  readonly serverMaxWindowBits: number;
  /** Most window bits the client compresses with (§7.1.2.2); 15 unless agreed lower. */
  readonly clientMaxWindowBits: number;
}

/** Options with defaults applied and checked. */
export interface ResolvedDeflateOptions {
  readonly threshold: number;
  readonly level: number;
  readonly memLevel: number;
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: number | boolean | undefined;
  readonly clientMaxWindowBits: number | boolean | undefined;
}

function integerIn(name: string, value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`permessage-deflate: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function windowOption(name: string, value: number | boolean | undefined): number | boolean | undefined {
  if (typeof value === 'number') integerIn(name, value, 8, 15, 15); // RFC 7692 §7.1.2.1, §7.1.2.2
  else if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`permessage-deflate: ${name} must be a number from 8 to 15 or a boolean`);
  }
  return value;
}

/**
 * Applies defaults and checks the options.
 *
 * @throws RangeError or TypeError naming the option that is out of range.
 */
export function resolveDeflateOptions(options: PerMessageDeflateOptions = {}): ResolvedDeflateOptions {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!Number.isSafeInteger(threshold) || threshold < 0) {
    throw new RangeError(`permessage-deflate: threshold must be a non-negative integer, got ${String(threshold)}`);
  }
  return {
    threshold,
    level: integerIn('level', options.level, 0, 9, DEFAULT_LEVEL),
    memLevel: integerIn('memLevel', options.memLevel, 1, 9, DEFAULT_MEM_LEVEL),
    serverNoContextTakeover: options.serverNoContextTakeover === true,
    clientNoContextTakeover: options.clientNoContextTakeover === true,
    serverMaxWindowBits: windowOption('serverMaxWindowBits', options.serverMaxWindowBits),
    clientMaxWindowBits: windowOption('clientMaxWindowBits', options.clientMaxWindowBits),
  };
}

/**
 * The four parameters of one offer or response as given (RFC 7692 §7.1):
 * `true` for a parameter without a value, the number for a window with one.
 */
export interface ParsedParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  /** `true`: present without a value (allowed in an offer only, §7.1.2.2). */
  clientMaxWindowBits: number | true | undefined;
}

/** Why a parameter list was refused: a stable reason and a message citing the rule. */
export interface ParamsRefusal {
  readonly reason: string;
  readonly message: string;
}

/** §7.1.2.1: "a decimal integer value without leading zeros between 8 and 15". */
const WINDOW_BITS = /^(?:8|9|1[0-5])$/;

/**
 * Parses the parameters of one element (RFC 7692 §7.1): unknown names,
 * duplicates and invalid values are refused (§7: the server declines such an
 * offer, the client fails the connection). A quoted value has already been
 * unquoted by the header parser (RFC 6455 §9.1 allows either form).
 */
export function parseParams(params: readonly ExtensionParam[], isResponse: boolean): ParsedParams | ParamsRefusal {
  const parsed: ParsedParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  const seen: string[] = [];
  for (const [name, value] of params) {
    const lower = name.toLowerCase();
    if (seen.includes(lower)) {
      return { reason: 'deflate-duplicate-parameter', message: `permessage-deflate parameter ${name} appears twice (RFC 7692 §7)` };
    }
    seen.push(lower);
    switch (lower) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        // §7.1.1.1, §7.1.1.2: these have no value.
        if (value !== null) return invalid(name, value);
        if (lower === 'server_no_context_takeover') parsed.serverNoContextTakeover = true;
        else parsed.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits':
        // §7.1.2.1: always with a value.
        if (value === null || !WINDOW_BITS.test(value)) return invalid(name, value);
        parsed.serverMaxWindowBits = Number(value);
        break;
      case 'client_max_window_bits':
        // §7.1.2.2: the value may be left out of an offer, never out of a response.
        if (value === null && !isResponse) parsed.clientMaxWindowBits = true;
        else if (value === null || !WINDOW_BITS.test(value)) return invalid(name, value);
        else parsed.clientMaxWindowBits = Number(value);
        break;
      default:
        return { reason: 'deflate-unknown-parameter', message: `permessage-deflate has no parameter ${name} (RFC 7692 §7)` };
    }
  }
  return parsed;
}

function invalid(name: string, value: string | null): ParamsRefusal {
  const shown = value === null ? 'no value' : `value ${JSON.stringify(value)}`;
  return { reason: 'deflate-invalid-parameter', message: `permessage-deflate parameter ${name} has ${shown} (RFC 7692 §7.1)` };
}

/** Whether a result of this module is a refusal. */
export function isRefusal<T extends object>(result: T | ParamsRefusal): result is ParamsRefusal {
  return 'reason' in result;
}

/** The client's offer for its options (RFC 7692 §7.1). */
export function clientOffer(options: ResolvedDeflateOptions): ExtensionParam[] {
  const params: ExtensionParam[] = [];
  if (options.serverNoContextTakeover) params.push(['server_no_context_takeover', null]);
  if (options.clientNoContextTakeover) params.push(['client_no_context_takeover', null]);
  if (typeof options.serverMaxWindowBits === 'number') params.push(['server_max_window_bits', String(options.serverMaxWindowBits)]);
  const client = options.clientMaxWindowBits ?? true;
  if (client === true) params.push(['client_max_window_bits', null]);
  else if (typeof client === 'number') params.push(['client_max_window_bits', String(client)]);
  return params;
}

/**
 * The server's decision on one offer (RFC 7692 §7.1): the agreed parameters and
 * the response parameters, or a refusal (the offer is declined, §5).
 */
export function serverAnswer(
  options: ResolvedDeflateOptions,
  offer: ParsedParams,
): { params: PerMessageDeflateParams; response: ExtensionParam[] } | ParamsRefusal {
  const response: ExtensionParam[] = [];
  // §7.1.1.1: an offer with server_no_context_takeover is accepted by answering with it.
  const serverNoContextTakeover = options.serverNoContextTakeover || offer.serverNoContextTakeover;
  if (serverNoContextTakeover) response.push(['server_no_context_takeover', null]);
  // §7.1.1.2: the server may ask the client not to use context takeover.
  const clientNoContextTakeover = options.clientNoContextTakeover || offer.clientNoContextTakeover;
  if (clientNoContextTakeover) response.push(['client_no_context_takeover', null]);

  // §7.1.2.1: the answer carries a value at most the offered one.
  let serverMaxWindowBits = 15;
  if (offer.serverMaxWindowBits !== undefined) {
    if (options.serverMaxWindowBits === false) {
      return { reason: 'deflate-window-refused', message: 'server_max_window_bits offered, and this server is set not to limit its window' };
    }
    serverMaxWindowBits = offer.serverMaxWindowBits;
  }
  if (typeof options.serverMaxWindowBits === 'number') serverMaxWindowBits = Math.min(serverMaxWindowBits, options.serverMaxWindowBits);
  if (offer.serverMaxWindowBits !== undefined || serverMaxWindowBits < 15) {
    response.push(['server_max_window_bits', String(serverMaxWindowBits)]);
  }

  // §7.1.2.2: client_max_window_bits may be answered only if offered, with at most the offered value.
  let clientMaxWindowBits = 15;
  if (offer.clientMaxWindowBits !== undefined) {
    const offered = offer.clientMaxWindowBits === true ? 15 : offer.clientMaxWindowBits;
    const wanted = typeof options.clientMaxWindowBits === 'number' ? options.clientMaxWindowBits : 15;
    clientMaxWindowBits = Math.min(offered, wanted);
    if (typeof options.clientMaxWindowBits === 'number' || offer.clientMaxWindowBits !== true) {
      response.push(['client_max_window_bits', String(clientMaxWindowBits)]);
    }
  }
  return {
    params: { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits },
    response,
  };
}

/**
 * The client's check of the server's response (RFC 7692 §7.1): the agreed
 * parameters, or the reason to fail the connection.
 */
export function clientAgreement(
  options: ResolvedDeflateOptions,
  response: ParsedParams,
): PerMessageDeflateParams | ParamsRefusal {
  // §7.1.1.1: a server accepting server_no_context_takeover includes it in its response.
  if (options.serverNoContextTakeover && !response.serverNoContextTakeover) {
    return { reason: 'deflate-missing-parameter', message: 'The server accepted the offer without the server_no_context_takeover it asked for (RFC 7692 §7.1.1.1)' };
  }
  const askedServerWindow = typeof options.serverMaxWindowBits === 'number' ? options.serverMaxWindowBits : undefined;
  if (askedServerWindow !== undefined) {
    // §7.1.2.1: accepting server_max_window_bits means answering it with the same or a smaller value.
    if (response.serverMaxWindowBits === undefined) {
      return { reason: 'deflate-missing-parameter', message: `The server accepted the offer without the server_max_window_bits=${askedServerWindow} it asked for (RFC 7692 §7.1.2.1)` };
    }
    if (response.serverMaxWindowBits > askedServerWindow) {
      return { reason: 'deflate-window-too-large', message: `The server answered server_max_window_bits=${response.serverMaxWindowBits}, over the ${askedServerWindow} offered (RFC 7692 §7.1.2.1)` };
    }
  }
  const offeredClient = options.clientMaxWindowBits ?? true;
  let clientMaxWindowBits = typeof offeredClient === 'number' ? offeredClient : 15;
  if (response.clientMaxWindowBits !== undefined) {
    // §7.1.2.2: a response must not carry client_max_window_bits unless it was offered.
    if (offeredClient === false) {
      return { reason: 'deflate-unexpected-parameter', message: 'The server answered client_max_window_bits, which was not offered (RFC 7692 §7.1.2.2)' };
    }
    const answered = response.clientMaxWindowBits === true ? 15 : response.clientMaxWindowBits;
    if (answered > clientMaxWindowBits) {
      return { reason: 'deflate-window-too-large', message: `The server answered client_max_window_bits=${answered}, over the ${clientMaxWindowBits} offered (RFC 7692 §7.1.2.2)` };
    }
    clientMaxWindowBits = answered;
  }
  return {
    serverNoContextTakeover: response.serverNoContextTakeover,
    clientNoContextTakeover: options.clientNoContextTakeover || response.clientNoContextTakeover,
    serverMaxWindowBits: response.serverMaxWindowBits ?? 15,
    clientMaxWindowBits,
  };
}
