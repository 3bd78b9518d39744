/**
 * HTTP triggers: the functions endpoints and CloudEvents on {@code POST /}, behind an optional bearer token.
 */
package dev.firesafe.host.http;
