/**
 * What arrives from Slack, read once the same way on both sides of the dispatch: the v0 signature
 * ({@link dev.chatops.shared.edge.SlackSignature}), the form body, the command text and its white
 * space (the gateway's parsing), and which {@code response_url}s may be answered
 * ({@link dev.chatops.shared.edge.ResponseUrlPolicy}).
 *
 * <p>The gateway is its main user, but this package stays in {@code shared} rather than the gateway
 * module because the runtime of every command function applies the same {@code ResponseUrlPolicy}
 * again before it posts (a function invoked by something else than the gateway still answers only
 * Slack), and the local stack signs and forms requests with the same classes the gateway verifies
 * them with. It depends on nothing but the JDK.
 */
package dev.chatops.shared.edge;
