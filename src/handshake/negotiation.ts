/**
 * What the opening handshake negotiates whatever carries it — an HTTP/1.1
 * Upgrade (RFC 6455 §4) or an extended CONNECT over HTTP/2 or HTTP/3
 * (RFC 8441 §5, RFC 9220 §3): the version, the origin, the subprotocol and
 * the extensions. The request and response checks of each transport call
 * these, so each rule is written once.
 *
 * @module
 */
import { HandshakeError } from '../errors.js';
import type { ClientExtensionFactory, Extension, ExtensionOffer, ServerExtensionFactory } from '../extensions/extension.js';
import { formatExtensions, isToken, parseExtensions, parseTokenList, type HttpHeaders } from './headers.js';

/** The negotiable fields of a client's request, decoded. */
export interface WebSocketOfferFields {
  /** The `Origin` header, if sent (browsers always send it, RFC 6455 §4.1 item 8). */
  readonly origin: string | undefined;
  /** Subprotocols offered in `Sec-WebSocket-Protocol`, in the client's order of preference (§4.1 item 10). */
  readonly subprotocols: readonly string[];
  /** Extensions offered in `Sec-WebSocket-Extensions`, in the client's order of preference (§9.1). */
  readonly extensions: readonly ExtensionOffer[];
}

/**
 * Reads and checks `Sec-WebSocket-Version` (RFC 6455 §4.2.1 item 6; RFC 8441
 * §5 keeps it), `Sec-WebSocket-Protocol`, `Sec-WebSocket-Extensions` and
 * `Origin` from a request's fields.
 */
export function readOfferFields(headers: HttpHeaders): WebSocketOfferFields | HandshakeError {
  const versions = headers.getAll('Sec-WebSocket-Version');
  if (versions.length !== 1 || versions[0] !== '13') {
    // RFC 6455 §4.2.2 item 4: answer 426 with the versions the server speaks.
    return new HandshakeError('unsupported-version', 'Sec-WebSocket-Version is missing or is not 13 (RFC 6455 §4.2.1 item 6)', 426);
  }
  const subprotocols = parseTokenList(headers.getAll('Sec-WebSocket-Protocol'));
  if (subprotocols === undefined) {
    return new HandshakeError('invalid-subprotocol-header', 'Sec-WebSocket-Protocol is not a list of tokens (RFC 6455 §4.1 item 10)');
  }
  const extensions = parseExtensions(headers.getAll('Sec-WebSocket-Extensions'));
  if (extensions === undefined) {
    return new HandshakeError('invalid-extensions-header', 'Sec-WebSocket-Extensions is malformed (RFC 6455 §9.1)');
  }
  const origins = headers.getAll('Origin');
  if (origins.length > 1) return new HandshakeError('invalid-origin', 'The request has more than one Origin header');
  return { origin: origins[0], subprotocols, extensions };
}

/** The server's negotiation options, shared by {@link ServerHandshake} and the extended CONNECT helpers. */
export interface ServerNegotiationOptions<Request> {
  subprotocols?: readonly string[] | ((offered: readonly string[], request: Request) => string | undefined);
  extensions?: readonly ServerExtensionFactory[];
  checkOrigin?: (origin: string | undefined, request: Request) => boolean;
}

/** What a server answers once it accepts: the choices, and the response fields that announce them. */
export interface ServerNegotiated {
  readonly subprotocol: string | undefined;
  readonly extensions: Extension[];
  /** `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions`, when there is something to announce. */
  readonly fields: [string, string][];
}

/** The server's side of the negotiation: origin policy, subprotocol choice, extension answers. */
export class ServerNegotiation<Request extends WebSocketOfferFields> {
  private readonly subprotocols: NonNullable<ServerNegotiationOptions<Request>['subprotocols']>;
  private readonly extensions: readonly ServerExtensionFactory[];
  private readonly checkOrigin: ServerNegotiationOptions<Request>['checkOrigin'];

  /** @throws TypeError if a subprotocol is not a token (RFC 6455 §4.1 item 10). */
  constructor(options: ServerNegotiationOptions<Request>) {
    this.subprotocols = options.subprotocols ?? [];
    if (typeof this.subprotocols !== 'function') {
      for (const protocol of this.subprotocols) {
        if (!isToken(protocol)) throw new TypeError(`Subprotocol ${JSON.stringify(protocol)} is not a token (RFC 6455 §4.1 item 10)`);
      }
    }
    this.extensions = options.extensions ?? [];
    this.checkOrigin = options.checkOrigin;
  }

  /** The origin policy (RFC 6455 §4.2.2 item 1, §10.2): a refusal is a 403. */
  checkRequest(request: Request): HandshakeError | undefined {
    if (this.checkOrigin === undefined || this.checkOrigin(request.origin, request)) return undefined;
    return new HandshakeError('forbidden-origin', `Origin ${request.origin ?? '(none)'} is not allowed`, 403);
  }

  /**
   * Chooses the subprotocol and accepts extensions. Throws a `TypeError` if
   * a selector chooses a subprotocol the client did not offer.
   */
  accept(request: Request): ServerNegotiated {
    const subprotocol = this.selectSubprotocol(request);
    const { extensions, answers } = negotiateExtensions(request.extensions, this.extensions);
    const fields: [string, string][] = [];
    if (subprotocol !== undefined) fields.push(['Sec-WebSocket-Protocol', subprotocol]);
    if (answers.length > 0) fields.push(['Sec-WebSocket-Extensions', formatExtensions(answers)]);
    return { subprotocol, extensions, fields };
  }

  private selectSubprotocol(request: Request): string | undefined {
    const offered = request.subprotocols;
    if (typeof this.subprotocols !== 'function') return this.subprotocols.find((p) => offered.includes(p));
    const chosen = this.subprotocols(offered, request);
    if (chosen !== undefined && !offered.includes(chosen)) {
      // RFC 6455 §4.2.2 item 5.4: the server must choose one of the client's values.
      throw new TypeError(`Subprotocol selector chose ${JSON.stringify(chosen)}, which the client did not offer`);
    }
    return chosen;
  }
}

/**
 * Offers go to the factory of the same name in the client's order of
 * preference; at most one offer of each extension is accepted (RFC 6455 §9.1).
 */
function negotiateExtensions(
  offers: readonly ExtensionOffer[],
  factories: readonly ServerExtensionFactory[],
): { extensions: Extension[]; answers: ExtensionOffer[] } {
  const extensions: Extension[] = [];
  const answers: ExtensionOffer[] = [];
  for (const offer of offers) {
    if (answers.some((a) => a.name === offer.name)) continue;
    const factory = factories.find((f) => f.name === offer.name);
    const result = factory?.accept(offer.params, extensions);
    if (result === undefined) continue;
    extensions.push(result.extension);
    answers.push({ name: offer.name, params: result.params });
  }
  return { extensions, answers };
}

/** The client's side of the negotiation: what it offers, and the check of the server's answer. */
export class ClientNegotiation {
  private readonly subprotocols: readonly string[];
  private readonly extensions: readonly ClientExtensionFactory[];

  /** @throws TypeError for a subprotocol that is not a token or is offered twice, or an extension given twice. */
  constructor(subprotocols: readonly string[] = [], extensions: readonly ClientExtensionFactory[] = []) {
    for (const [i, protocol] of subprotocols.entries()) {
      if (!isToken(protocol)) throw new TypeError(`Subprotocol ${JSON.stringify(protocol)} is not a token (RFC 6455 §4.1 item 10)`);
      if (subprotocols.indexOf(protocol) !== i) throw new TypeError(`Subprotocol ${protocol} is offered twice (RFC 6455 §4.1 item 10)`);
    }
    for (const [i, factory] of extensions.entries()) {
      if (extensions.findIndex((f) => f.name === factory.name) !== i) throw new TypeError(`Extension ${factory.name} is given twice`);
    }
    this.subprotocols = subprotocols;
    this.extensions = extensions;
  }

  /** The request fields of the offer: `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions`, when non-empty. */
  offerFields(): [string, string][] {
    const fields: [string, string][] = [];
    if (this.subprotocols.length > 0) fields.push(['Sec-WebSocket-Protocol', this.subprotocols.join(', ')]);
    if (this.extensions.length > 0) {
      fields.push(['Sec-WebSocket-Extensions', formatExtensions(this.extensions.map((f) => ({ name: f.name, params: f.offer() })))]);
    }
    return fields;
  }

  /**
   * Checks the server's answer (RFC 6455 §4.1, items 5 and 6 of the response
   * checks): at most one subprotocol, one that was offered; only offered
   * extensions, each once, each accepted by its factory. A factory's
   * {@link HandshakeError} is returned as is; any other error it throws propagates.
   */
  checkAnswer(headers: HttpHeaders): { subprotocol: string | undefined; extensions: Extension[] } | HandshakeError {
    const protocols = parseTokenList(headers.getAll('Sec-WebSocket-Protocol'));
    if (protocols === undefined || protocols.length > 1) {
      return new HandshakeError('invalid-subprotocol-header', 'Sec-WebSocket-Protocol must be a single token (RFC 6455 §4.2.2 item 5.4)');
    }
    const subprotocol = protocols[0];
    if (subprotocol !== undefined && !this.subprotocols.includes(subprotocol)) {
      return new HandshakeError(
        'unexpected-subprotocol',
        `The server chose subprotocol ${subprotocol}, which was not offered (RFC 6455 §4.1, item 6 of the response checks)`,
      );
    }
    const answers = parseExtensions(headers.getAll('Sec-WebSocket-Extensions'));
    if (answers === undefined) return new HandshakeError('invalid-extensions-header', 'Sec-WebSocket-Extensions is malformed (RFC 6455 §9.1)');
    const extensions: Extension[] = [];
    const seen: string[] = [];
    for (const answer of answers) {
      const factory = this.extensions.find((f) => f.name === answer.name);
      if (factory === undefined || seen.includes(answer.name)) {
        return new HandshakeError(
          'unexpected-extension',
          `The server answered with extension ${answer.name}, which was not offered or was answered twice (RFC 6455 §4.1, item 5 of the response checks)`,
        );
      }
      seen.push(answer.name);
      try {
        extensions.push(factory.accept(answer.params, extensions));
      } catch (error) {
        if (!(error instanceof HandshakeError)) throw error;
        return error;
      }
    }
    return { subprotocol, extensions };
  }
}
