package io.parley.bridge.netty;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

import java.util.concurrent.TimeUnit;

/**
 * A Vert.x context on an event loop thread of its own, outside Vert.x's pools, for work that
 * must not queue behind a saturated event loop (the node's lease renewals). Vert.x has no
 * public API for this; it relies on {@link VertxInternal}'s transport and context builder, which
 * {@code NettyInternalsTest} exercises.
 */
public final class DedicatedEventLoop {

  private final MultiThreadIoEventLoopGroup group;
  private final Context context;

  public DedicatedEventLoop(Vertx vertx, String threadName) {
    VertxInternal internal = (VertxInternal) vertx;
    // the node's own transport (epoll or NIO): channels opened on this loop must fit it
    group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(threadName, true), internal.transport().ioHandlerFactory());
    context = internal.contextBuilder().withEventLoop(group.next()).build();
  }

  public Context context() {
    return context;
  }

  /** Stops the thread; anything still using it (a connection opened there) must be closed first. */
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
