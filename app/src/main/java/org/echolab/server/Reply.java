package org.echolab.server;

import java.time.Duration;

/**
 * What to send and what to do first: perform {@code work} for {@code wait}, then write
 * {@code bytes}; close afterwards if {@code close}. Blocking models do the wait on their thread;
 * the event loop turns a sleep into a timer.
 */
public record Reply(byte[] bytes, Duration delay, Work work, boolean close) {}
