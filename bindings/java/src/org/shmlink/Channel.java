package org.shmlink;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntUnaryOperator;

/**
 * A named, bounded queue of whole messages in shared memory, for any number of sending and
 * receiving processes (a shmlink channel). Every message is delivered whole, once, to exactly
 * one receiver, in send order per sender; zero-length messages are valid.
 *
 * <p>Copying calls take and fill {@link ByteBuffer}s (direct or heap, from their position to
 * their limit) or byte arrays. Zero-copy calls give direct buffers over the channel's own
 * memory: {@link #reserve} and {@link #commit} to send, {@link #peek} and {@link #consume} to
 * receive. Such a buffer is valid only until its commit or consume (and never after the channel
 * is closed: it would touch unmapped memory).
 *
 * <p>Peers: receiving throws {@link ShmLinkException} with {@link Status#CLOSED} once every
 * sender that attached is gone and nothing is queued (a sender that opens later makes the
 * channel live again); likewise sending once every receiver is gone. Before the other side's
 * first peer attaches, sends queue and receives wait: either side may start first. A peer
 * process that dies counts as gone.
 *
 * <p>Timeouts are {@link Duration}s rounded up to milliseconds; zero tries once. As with the
 * other objects' waits, running out of time is a result, not an exception: the calls with a
 * timeout return false, -1 or null, and the calls without one wait with no time limit. Other
 * failures throw {@link ShmLinkException}: {@link Status#CLOSED}, {@link Status#TOO_LARGE} (a
 * message longer than the channel's maximum), {@link Status#BUFFER_TOO_SMALL} (the message stays
 * queued), {@link Status#ACCESS_DENIED} (a call the handle's {@link ChannelRole} does not allow).
 *
 * <p>Interrupts: {@link Thread#interrupt()} wakes a receive or peek blocked on an empty channel
 * as it does the other objects' waits (an internal signal in the same wait-any), and so does a
 * send or reserve blocked on a full channel (the wait-any is on the channel's
 * {@link ChannelCondition#CAN_SEND} condition); at once, except in a call's first millisecond,
 * which is the library's own blocking call (it spins briefly before it sleeps: a fast peer's
 * answer is taken without a wake-up). Either throws
 * {@link InterruptedException} and clears the thread's interrupt status. A message that can be
 * taken (or room that is there) wins over an interrupt, which then stays pending; an interrupt
 * matters only when the call would wait.
 *
 * <p>Asynchronous forms: {@link #receiveAsync()} and {@link #sendAsync(byte[])} (with or
 * without a timeout) give {@link CompletableFuture}s and block no thread while they wait: the
 * binding's wait threads wait for the channel's conditions with every other pending wait of the
 * process (see {@link Waitable}). Cancelling the future withdraws the call; a message is never
 * received for (or sent by) a future that was cancelled first. Closing the channel fails the
 * pending ones with {@link IllegalStateException}.
 *
 * <p>Peers: {@link #awaitPeer}, {@link #awaitPeersGone} and their asynchronous forms wait until
 * the other side has a peer, or has had peers and none is left; {@link #condition} gives any
 * {@link ChannelCondition} as an object for {@link ShmLink#waitAny}.
 *
 * <p>A channel is a {@link Waitable}: {@link ShmLink#waitAny} returns when a message can be
 * received from it (or receiving would throw CLOSED); for a {@link ChannelRole#SENDER} channel,
 * when a message of the channel's maximum size fits (or sending would throw CLOSED). That wait takes nothing, so with several
 * receivers the receive that follows may still find the channel empty: receive with a timeout
 * of zero after it.
 *
 * <p>Every method is thread-safe. Per handle there is at most one reservation and one peeked
 * message at a time (the library's rule); while this handle holds a reservation its sends throw
 * {@link IllegalStateException} (they would queue behind it), and while it holds a peeked
 * message its receives do.
 */
public final class Channel extends Waitable {
  /** The most a blocking call's first try waits in the library, uninterruptibly (see untilReceivable). */
  private static final int FIRST_WAIT_MS = 1;
  /** How long a receive tries again without yielding before the library's call (see untilReceivable). */
  private static final long BUSY_NANOS = 2_000;
  private static final int OK = shmlink.SHMLINK_OK;
  private static final int TIMEOUT = shmlink.SHMLINK_ERR_TIMEOUT;
  private static final int BUFFER_TOO_SMALL = shmlink.SHMLINK_ERR_BUFFER_TOO_SMALL;

  private final ChannelRole role;
  /** This handle's own condition handles (for room, async receives and sends, peers), made when
   * first needed and closed with it; guarded by itself. */
  private final EnumMap<ChannelCondition, ChannelWaitable> conditions = new EnumMap<>(ChannelCondition.class);
  /** Held around the library's reservation of this handle (heap sends, reserve, commit). */
  private final ReentrantLock reservationLock = new ReentrantLock();
  /** Held around the library's peeked message of this handle (receive(), peek, consume). */
  private final ReentrantLock peekLock = new ReentrantLock();
  /** The length of the caller's outstanding reservation, or -1. */
  private volatile int reservedLength = -1;
  /** Whether the caller holds a peeked message. */
  private volatile boolean peeked;

  private Channel(long handle, String name, boolean created, ChannelRole role) {
    super(handle, name, created);
    this.role = role;
  }

  /** Creates a new channel that only the current user may open.
   * @param name the channel's name
   * @param capacityBytes how many bytes of messages it buffers at least (each message costs its
   *     length rounded up to 32, plus a 32-byte header); at least one maximum message plus 32
   * @param maxMessageBytes the longest message it takes (positive, at most capacityBytes)
   * @param role what this handle does
   * @return the channel
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, INVALID_ARGUMENT for bad sizes,
   *     NO_RESOURCES if the system cannot back it, and as the library says */
  public static Channel create(String name, long capacityBytes, int maxMessageBytes, ChannelRole role) {
    return create(name, capacityBytes, maxMessageBytes, role, Sharing.CURRENT_USER);
  }

  /** Creates a new channel others may open too.
   * @param name the channel's name
   * @param capacityBytes how many bytes of messages it buffers at least (see
   *     {@link #create(String, long, int, ChannelRole)})
   * @param maxMessageBytes the longest message it takes (positive, at most capacityBytes)
   * @param role what this handle does
   * @param sharing who else may open it
   * @return the channel
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, INVALID_ARGUMENT for bad sizes,
   *     and as the library says */
  public static Channel create(String name, long capacityBytes, int maxMessageBytes, ChannelRole role,
                               Sharing sharing) {
    return make(name, capacityBytes, maxMessageBytes, role, Waitable.createFlags(false, sharing));
  }

  /** Opens the channel of that name, or creates it; {@link #wasCreated()} says which. An existing
   * channel keeps its own sizes.
   * @param name the channel's name
   * @param capacityBytes its capacity if created (see {@link #create(String, long, int, ChannelRole)})
   * @param maxMessageBytes its longest message if created
   * @param role what this handle does
   * @return the channel
   * @throws ShmLinkException WRONG_KIND if the name is another kind of object, and as the library says */
  public static Channel openOrCreate(String name, long capacityBytes, int maxMessageBytes, ChannelRole role) {
    return make(name, capacityBytes, maxMessageBytes, role, Waitable.createFlags(true, Sharing.CURRENT_USER));
  }

  /** Creates a new publish/subscribe channel that only the current user may open: every
   * receiving handle (a subscriber; at most 32 at a time) receives every message sent after it
   * attached, in order, at its own pace ({@link #peek()} reads it in place). {@link #open} opens
   * one as it opens a queue. Sending while no subscriber is attached reaches nobody, and senders
   * never see {@link Status#CLOSED}.
   * @param name the channel's name
   * @param capacityBytes how many bytes of messages it holds at least (as for {@link
   *     #create(String, long, int, ChannelRole)})
   * @param maxMessageBytes the longest message it takes
   * @param role what this handle does: send (publish), receive (subscribe) or both
   * @param policy what happens to a subscriber that falls behind
   * @return the channel
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, NO_RESOURCES (32 subscribers are
   *     attached), and as {@link #create(String, long, int, ChannelRole)} */
  public static Channel createPubSub(String name, long capacityBytes, int maxMessageBytes, ChannelRole role,
                                     PubSubPolicy policy) {
    if (policy == null) throw new NullPointerException("policy");
    return make(name, capacityBytes, maxMessageBytes, role,
        Waitable.createFlags(false, Sharing.CURRENT_USER) | policy.flags);
  }

  /** Opens the publish/subscribe channel of that name, or creates it (see {@link #createPubSub});
   * {@link #wasCreated()} says which.
   * @param name the channel's name
   * @param capacityBytes its capacity if created
   * @param maxMessageBytes its longest message if created
   * @param role what this handle does
   * @param policy the policy it must have (and gets if it is created)
   * @return the channel
   * @throws ShmLinkException INCOMPATIBLE if a channel of another mode or policy has the name,
   *     and as the library says */
  public static Channel openOrCreatePubSub(String name, long capacityBytes, int maxMessageBytes, ChannelRole role,
                                           PubSubPolicy policy) {
    if (policy == null) throw new NullPointerException("policy");
    return make(name, capacityBytes, maxMessageBytes, role,
        Waitable.createFlags(true, Sharing.CURRENT_USER) | policy.flags);
  }

  /** How many messages this subscriber of an overwriting publish/subscribe channel lost because
   * publishers overwrote them before it read them, since it attached (0 on a queue or under the
   * block policy).
   * @return the count
   * @throws ShmLinkException ACCESS_DENIED if this handle does not receive
   * @throws IllegalStateException if the channel is closed */
  public long lost() {
    long[] lost = new long[1];
    long value = handle.acquire(this);
    try {
      Failure.check(shmlink.channel_lost(value, lost));
    } finally {
      handle.release();
    }
    return lost[0];
  }

  /** Opens an existing channel.
   * @param name the channel's name
   * @param role what this handle does
   * @return the channel
   * @throws ShmLinkException NOT_FOUND if there is none, NO_RESOURCES if 1024 handles are already
   *     attached to it, and as the library says */
  public static Channel open(String name, ChannelRole role) {
    if (role == null) throw new NullPointerException("role");
    long[] handle = new long[1];
    Failure.check(shmlink.channel_open(requireName(name), role.flags, handle));
    return new Channel(handle[0], name, false, role);
  }

  /** What this handle may do.
   * @return the role it was created or opened with */
  public ChannelRole role() {
    return role;
  }

  /** The longest message the channel takes: its creator's choice, which an opener learns here.
   * @return the maximum message length in bytes
   * @throws IllegalStateException if the channel is closed */
  public int maxMessageBytes() {
    int[] maxMessage = new int[1];
    info(maxMessage, null);
    return maxMessage[0];
  }

  /** How many bytes of messages the channel's ring holds: at least the capacity it was created
   * with. Each message costs its length rounded up to 32, plus a 32-byte header.
   * @return the capacity in bytes
   * @throws IllegalStateException if the channel is closed */
  public long capacityBytes() {
    long[] capacity = new long[1];
    info(null, capacity);
    return capacity[0];
  }

  private void info(int[] maxMessage, long[] capacity) {
    long value = handle.acquire(this);
    try {
      Failure.check(shmlink.channel_info(value, maxMessage, capacity, null));
    } finally {
      handle.release();
    }
  }

  // ---- Batches: many messages per call ---------------------------------------------------------

  /** The most messages one batch call passes to the library (a longer lengths array: the rest go
   * in the next call). */
  public static final int MAX_BATCH = 256;

  /** Sends several messages in one call: message {@code i} is the next {@code lengths[i]} bytes
   * of {@code messages}, from its position, end to end. Waits with no time limit for room for the
   * first, then sends as many of the rest as fit now (at most {@link #MAX_BATCH}), each a message
   * of its own, whole and in order, for one library call and one wake-up. The buffer's position
   * moves past the messages sent. A direct buffer is read in place; a heap buffer is pinned for
   * calls that do not wait (the wait for room comes before).
   * @param messages the messages, end to end, from the buffer's position
   * @param lengths each message's length; at least one
   * @return how many messages were sent, from the first (at least 1): send the rest in another call
   * @throws InterruptedException if the thread is interrupted while waiting for room
   * @throws IllegalArgumentException no lengths, a negative length, or more bytes than remain
   * @throws ShmLinkException CLOSED (every receiver is gone), TOO_LARGE (a length above the
   *     channel's maximum; nothing was sent), ACCESS_DENIED (not a sender), and as the library says
   * @throws IllegalStateException if the channel is closed or this handle holds a reservation */
  public int sendBatch(ByteBuffer messages, int[] lengths) throws InterruptedException {
    return sendBatchCore(messages, lengths, Timeouts.INFINITE);
  }

  /** As {@link #sendBatch(ByteBuffer, int[])}, waiting at most {@code timeout} for room for the first.
   * @param messages the messages, end to end, from the buffer's position
   * @param lengths each message's length; at least one
   * @param timeout how long to wait for room at most (zero tries once)
   * @return how many messages were sent, or 0 if the time ran out (nothing was sent)
   * @throws InterruptedException if the thread is interrupted while waiting for room
   * @throws IllegalArgumentException as {@link #sendBatch(ByteBuffer, int[])}
   * @throws ShmLinkException as {@link #sendBatch(ByteBuffer, int[])}
   * @throws IllegalStateException if the channel is closed or this handle holds a reservation */
  public int sendBatch(ByteBuffer messages, int[] lengths, Duration timeout) throws InterruptedException {
    return sendBatchCore(messages, lengths, Timeouts.toMilliseconds(timeout));
  }

  /** Receives as many messages as are queued (waiting with no time limit for the first), up to
   * {@code lengths.length} (and {@link #MAX_BATCH}), into the buffer from its position, end to
   * end, setting {@code lengths[i]} to message {@code i}'s length; the position moves past them.
   * A batch takes messages of up to an equal share of the buffer's remaining bytes each
   * ({@code remaining / lengths.length}); a longer one ends the batch before it (it stays
   * queued), unless it comes first and fits in all the remaining bytes: then it comes alone.
   * @param buffer where the messages go (direct or heap), from its position
   * @param lengths receives each message's length; its length is the most messages to take
   * @return how many messages were received (at least 1)
   * @throws InterruptedException if the thread is interrupted while waiting for a message
   * @throws IllegalArgumentException if {@code lengths} is empty
   * @throws ShmLinkException CLOSED (every sender is gone and nothing is queued), BUFFER_TOO_SMALL
   *     (the next message is longer than the buffer's remaining bytes; it stays queued),
   *     ACCESS_DENIED (not a receiver), and as the library says
   * @throws ReadOnlyBufferException if the buffer is read-only
   * @throws IllegalStateException if the channel is closed or this handle holds a peeked message */
  public int receiveBatch(ByteBuffer buffer, int[] lengths) throws InterruptedException {
    return receiveBatchCore(buffer, lengths, Timeouts.INFINITE);
  }

  /** As {@link #receiveBatch(ByteBuffer, int[])}, waiting at most {@code timeout} for the first message.
   * @param buffer where the messages go (direct or heap), from its position
   * @param lengths receives each message's length; its length is the most messages to take
   * @param timeout how long to wait for a message at most (zero tries once)
   * @return how many messages were received, or 0 if the time ran out (the buffer is unchanged)
   * @throws InterruptedException if the thread is interrupted while waiting for a message
   * @throws IllegalArgumentException if {@code lengths} is empty
   * @throws ShmLinkException as {@link #receiveBatch(ByteBuffer, int[])}
   * @throws ReadOnlyBufferException if the buffer is read-only
   * @throws IllegalStateException if the channel is closed or this handle holds a peeked message */
  public int receiveBatch(ByteBuffer buffer, int[] lengths, Duration timeout) throws InterruptedException {
    return receiveBatchCore(buffer, lengths, Timeouts.toMilliseconds(timeout));
  }

  // ---- Sending ------------------------------------------------------------------------------

  /** Sends the buffer's remaining bytes as one message, waiting with no time limit for room;
   * the buffer's position moves to its limit. A direct buffer is copied into the channel
   * straight from its memory, a heap buffer through a reservation (one copy either way).
   * @param message the message (position to limit), left unchanged if it is not sent
   * @throws InterruptedException if the thread is interrupted while waiting for room
   * @throws ShmLinkException CLOSED (every receiver is gone), TOO_LARGE, ACCESS_DENIED (not a
   *     sender), and as the library says
   * @throws IllegalStateException if the channel is closed or this handle holds a reservation */
  public void send(ByteBuffer message) throws InterruptedException {
    sendCore(message, Timeouts.INFINITE);
  }

  /** Sends the buffer's remaining bytes as one message, waiting at most {@code timeout} for
   * room; if sent, the buffer's position moves to its limit.
   * @param message the message (position to limit), left unchanged if it is not sent
   * @param timeout how long to wait for room at most (zero tries once)
   * @return true if sent, false if the time ran out (nothing was sent)
   * @throws InterruptedException if the thread is interrupted while waiting for room
   * @throws ShmLinkException CLOSED, TOO_LARGE, ACCESS_DENIED, and as the library says
   * @throws IllegalStateException if the channel is closed or this handle holds a reservation */
  public boolean send(ByteBuffer message, Duration timeout) throws InterruptedException {
    return sendCore(message, Timeouts.toMilliseconds(timeout));
  }

  /** Sends the whole array as one message, waiting with no time limit for room.
   * @param message the message
   * @throws InterruptedException if the thread is interrupted while waiting for room
   * @throws ShmLinkException CLOSED, TOO_LARGE, ACCESS_DENIED, and as the library says
   * @throws IllegalStateException if the channel is closed or this handle holds a reservation */
  public void send(byte[] message) throws InterruptedException {
    if (message == null) throw new NullPointerException("message");
    sendCore(ByteBuffer.wrap(message), Timeouts.INFINITE);
  }

  /** Sends the whole array as one message, waiting at most {@code timeout} for room.
   * @param message the message
   * @param timeout how long to wait for room at most (zero tries once)
   * @return true if sent, false if the time ran out (nothing was sent)
   * @throws InterruptedException if the thread is interrupted while waiting for room
   * @throws ShmLinkException CLOSED, TOO_LARGE, ACCESS_DENIED, and as the library says
   * @throws IllegalStateException if the channel is closed or this handle holds a reservation */
  public boolean send(byte[] message, Duration timeout) throws InterruptedException {
    if (message == null) throw new NullPointerException("message");
    return sendCore(ByteBuffer.wrap(message), Timeouts.toMilliseconds(timeout));
  }

  /** Zero-copy send, first half: reserves room for a message of up to {@code length} bytes,
   * waiting with no time limit, and gives a buffer over that room in the channel itself. Write
   * the message into it, then {@link #commit(int)}. Later messages of other senders wait behind
   * the reservation, so commit soon.
   * @param length the most bytes the message will have
   * @return a writable direct buffer of {@code length} bytes (position 0, native byte order),
   *     valid until the commit
   * @throws InterruptedException if the thread is interrupted while waiting for room
   * @throws ShmLinkException CLOSED, TOO_LARGE, ACCESS_DENIED, and as the library says
   * @throws IllegalStateException if the channel is closed or this handle holds a reservation */
  public ByteBuffer reserve(int length) throws InterruptedException {
    return reserveCore(length, Timeouts.INFINITE);
  }

  /** Zero-copy send, first half, waiting at most {@code timeout} for room (see {@link #reserve(int)}).
   * @param length the most bytes the message will have
   * @param timeout how long to wait for room at most (zero tries once)
   * @return a writable direct buffer of {@code length} bytes, valid until the commit, or null
   *     if the time ran out
   * @throws InterruptedException if the thread is interrupted while waiting for room
   * @throws ShmLinkException CLOSED, TOO_LARGE, ACCESS_DENIED, and as the library says
   * @throws IllegalStateException if the channel is closed or this handle holds a reservation */
  public ByteBuffer reserve(int length, Duration timeout) throws InterruptedException {
    return reserveCore(length, Timeouts.toMilliseconds(timeout));
  }

  /** Zero-copy send, second half: sends the reserved message with the first {@code length}
   * bytes written to the reserved buffer, which must not be used after this.
   * @param length the message's length: at most the length reserved
   * @throws IllegalStateException if the channel is closed or nothing is reserved
   * @throws IllegalArgumentException if {@code length} is negative or above the length
   *     reserved (the reservation stays) */
  public void commit(int length) {
    long value = handle.acquire(this);
    reservationLock.lock();
    try {
      int reserved = reservedLength;
      if (reserved < 0) throw new IllegalStateException(this + " has no reservation to commit");
      if (length < 0 || length > reserved) {
        throw new IllegalArgumentException("A commit is of 0 to the " + reserved + " bytes reserved, not " + length);
      }
      Failure.check(shmlink.channel_commit(value, length));
      reservedLength = -1;
    } finally {
      reservationLock.unlock();
      handle.release();
    }
  }

  /** Gives the reservation up without sending anything: the messages reserved after it flow on,
   * and this handle may reserve or send again. Its room goes back to the senders when the
   * receivers pass it, as a received message's does. The reserved buffer must not be used after
   * this. (Closing the channel does the same.)
   * @throws IllegalStateException if the channel is closed or nothing is reserved */
  public void cancel() {
    long value = handle.acquire(this);
    reservationLock.lock();
    try {
      if (reservedLength < 0) throw new IllegalStateException(this + " has no reservation to cancel");
      Failure.check(shmlink.channel_cancel(value));
      reservedLength = -1;
    } finally {
      reservationLock.unlock();
      handle.release();
    }
  }

  // ---- Receiving ----------------------------------------------------------------------------

  /** Receives the next message into the buffer at its position, waiting with no time limit for
   * one; the position moves past the message.
   * @param buffer where the message goes (direct or heap; its remaining bytes are the room)
   * @return the message's length
   * @throws InterruptedException if the thread is interrupted while waiting for a message
   * @throws ShmLinkException CLOSED (every sender is gone and nothing queued), BUFFER_TOO_SMALL
   *     (the message is longer than the buffer's remaining bytes; it stays queued and the
   *     exception's message says its length), ACCESS_DENIED (not a receiver), and as the library says
   * @throws ReadOnlyBufferException if the buffer is read-only
   * @throws IllegalStateException if the channel is closed or this handle holds a peeked message */
  public int receive(ByteBuffer buffer) throws InterruptedException {
    return receiveCore(buffer, Timeouts.INFINITE);
  }

  /** Receives the next message into the buffer at its position, waiting at most {@code timeout}
   * for one; the position moves past the message.
   * @param buffer where the message goes (direct or heap; its remaining bytes are the room)
   * @param timeout how long to wait for a message at most (zero tries once)
   * @return the message's length, or -1 if the time ran out (the buffer is unchanged)
   * @throws InterruptedException if the thread is interrupted while waiting for a message
   * @throws ShmLinkException CLOSED, BUFFER_TOO_SMALL (the message stays queued), ACCESS_DENIED,
   *     and as the library says
   * @throws ReadOnlyBufferException if the buffer is read-only
   * @throws IllegalStateException if the channel is closed or this handle holds a peeked message */
  public int receive(ByteBuffer buffer, Duration timeout) throws InterruptedException {
    return receiveCore(buffer, Timeouts.toMilliseconds(timeout));
  }

  /** Receives the next message as an array of exactly its length, waiting with no time limit
   * for one.
   * @return the message
   * @throws InterruptedException if the thread is interrupted while waiting for a message
   * @throws ShmLinkException CLOSED, ACCESS_DENIED, and as the library says
   * @throws IllegalStateException if the channel is closed or this handle holds a peeked message */
  public byte[] receive() throws InterruptedException {
    return receiveArray(Timeouts.INFINITE);
  }

  /** Receives the next message as an array of exactly its length, waiting at most
   * {@code timeout} for one.
   * @param timeout how long to wait for a message at most (zero tries once)
   * @return the message, or null if the time ran out
   * @throws InterruptedException if the thread is interrupted while waiting for a message
   * @throws ShmLinkException CLOSED, ACCESS_DENIED, and as the library says
   * @throws IllegalStateException if the channel is closed or this handle holds a peeked message */
  public byte[] receive(Duration timeout) throws InterruptedException {
    return receiveArray(Timeouts.toMilliseconds(timeout));
  }

  /** Zero-copy receive, first half: takes the next message for this handle, waiting with no
   * time limit, and gives its bytes where they lie in the channel. Read them, then
   * {@link #consume()}. Peeking again before consuming gives the same message.
   * @return a read-only direct buffer over the message (position 0, limit its length, native
   *     byte order), valid until the consume
   * @throws InterruptedException if the thread is interrupted while waiting for a message
   * @throws ShmLinkException CLOSED, ACCESS_DENIED, and as the library says
   * @throws IllegalStateException if the channel is closed */
  public ByteBuffer peek() throws InterruptedException {
    return peekCore(Timeouts.INFINITE);
  }

  /** Zero-copy receive, first half, waiting at most {@code timeout} for a message (see {@link #peek()}).
   * @param timeout how long to wait for a message at most (zero tries once)
   * @return a read-only direct buffer over the message, valid until the consume, or null if the
   *     time ran out
   * @throws InterruptedException if the thread is interrupted while waiting for a message
   * @throws ShmLinkException CLOSED, ACCESS_DENIED, and as the library says
   * @throws IllegalStateException if the channel is closed */
  public ByteBuffer peek(Duration timeout) throws InterruptedException {
    return peekCore(Timeouts.toMilliseconds(timeout));
  }

  /** Zero-copy receive, second half: releases the peeked message's room to senders. The buffer
   * {@link #peek} gave must not be used after this.
   * @throws ShmLinkException OVERWRITTEN: on a publish/subscribe channel with
   *     {@link PubSubPolicy#OVERWRITE}, a publisher overwrote the message while it was peeked (throw
   *     away what was read of it); it is consumed all the same and counted in {@link #lost()}
   * @throws IllegalStateException if the channel is closed or nothing is peeked */
  public void consume() {
    long value = handle.acquire(this);
    peekLock.lock();
    try {
      if (!peeked) throw new IllegalStateException(this + " has no peeked message to consume");
      int status = shmlink.channel_consume(value);
      if (status >= 0 || status == shmlink.SHMLINK_ERR_OVERWRITTEN) peeked = false; // consumed either way
      Failure.check(status);
    } finally {
      peekLock.unlock();
      handle.release();
    }
  }

  // ---- Asynchronous forms -------------------------------------------------------------------

  /** Receives the next message without blocking a thread, with no time limit.
   * @return a future of the message (an array of exactly its length); it fails as
   *     {@link #receive()} throws, and with IllegalStateException if the channel is closed first
   * @throws IllegalStateException if the channel is closed */
  public CompletableFuture<byte[]> receiveAsync() {
    return receiveAsyncCore(Timeouts.INFINITE);
  }

  /** Receives the next message without blocking a thread, waiting at most {@code timeout}.
   * @param timeout how long to wait for a message at most (zero tries once)
   * @return a future of the message, or of null if the time ran out
   * @throws IllegalStateException if the channel is closed */
  public CompletableFuture<byte[]> receiveAsync(Duration timeout) {
    return receiveAsyncCore(Timeouts.toMilliseconds(timeout));
  }

  /** Sends the whole array as one message without blocking a thread, waiting with no time
   * limit for room. The array is read when the message is sent: leave it unchanged until then.
   * @param message the message
   * @return a future that completes when the message is sent, or fails as {@link #send(byte[])}
   *     throws
   * @throws IllegalStateException if the channel is closed */
  public CompletableFuture<Void> sendAsync(byte[] message) {
    if (message == null) throw new NullPointerException("message");
    return sendAsyncCore(ByteBuffer.wrap(message), Timeouts.INFINITE, null, null);
  }

  /** Sends the whole array as one message without blocking a thread, waiting at most
   * {@code timeout} for room.
   * @param message the message (leave it unchanged until the future completes)
   * @param timeout how long to wait for room at most (zero tries once)
   * @return a future of true if sent, false if the time ran out (nothing was sent)
   * @throws IllegalStateException if the channel is closed */
  public CompletableFuture<Boolean> sendAsync(byte[] message, Duration timeout) {
    if (message == null) throw new NullPointerException("message");
    return sendAsyncCore(ByteBuffer.wrap(message), Timeouts.toMilliseconds(timeout), true, false);
  }

  /** Sends the buffer's remaining bytes as one message without blocking a thread, waiting with
   * no time limit for room; once sent, the buffer's position moves to its limit.
   * @param message the message (position to limit; leave it unchanged until the future completes)
   * @return a future that completes when the message is sent
   * @throws IllegalStateException if the channel is closed */
  public CompletableFuture<Void> sendAsync(ByteBuffer message) {
    if (message == null) throw new NullPointerException("message");
    return sendAsyncCore(message, Timeouts.INFINITE, null, null);
  }

  // ---- Peers and conditions ------------------------------------------------------------------

  /** A new handle that waits for one condition of this channel, alone or in
   * {@link ShmLink#waitAny}; close it when done (while open it counts as a peer, as this handle).
   * @param condition what to wait for
   * @return the condition's waitable
   * @throws ShmLinkException ACCESS_DENIED for CAN_RECEIVE on a handle that does not receive, or
   *     CAN_SEND on one that does not send
   * @throws IllegalStateException if the channel is closed */
  public ChannelWaitable condition(ChannelCondition condition) {
    if (condition == null) throw new NullPointerException("condition");
    long[] out = new long[1];
    long value = handle.acquire(this);
    try {
      Failure.check(shmlink.channel_waitable(value, condition.code, out));
    } finally {
      handle.release();
    }
    return new ChannelWaitable(out[0], name(), condition);
  }

  /** Waits until the other side has at least one peer attached: a receiver for a
   * {@link ChannelRole#SENDER} handle, a sender for a {@link ChannelRole#RECEIVER} one.
   * @param timeout how long to wait at most (zero tries once)
   * @return true if a peer is there, false if the time ran out
   * @throws InterruptedException if the thread is interrupted first
   * @throws IllegalStateException for a {@link ChannelRole#BOTH} handle (it is a peer of both
   *     sides itself: use {@link #condition}), or if the channel is closed */
  public boolean awaitPeer(Duration timeout) throws InterruptedException {
    return ownCondition(otherSide(ChannelCondition.RECEIVERS_PRESENT, ChannelCondition.SENDERS_PRESENT)).await(timeout);
  }

  /** Waits until the other side's peers, which had attached, are all gone (sending, or receiving
   * once drained, throws CLOSED).
   * @param timeout how long to wait at most (zero tries once)
   * @return true if they are gone, false if the time ran out
   * @throws InterruptedException if the thread is interrupted first
   * @throws IllegalStateException for a {@link ChannelRole#BOTH} handle, or if the channel is closed */
  public boolean awaitPeersGone(Duration timeout) throws InterruptedException {
    return ownCondition(otherSide(ChannelCondition.RECEIVERS_GONE, ChannelCondition.SENDERS_GONE)).await(timeout);
  }

  /** {@link #awaitPeer} without blocking a thread.
   * @param timeout how long to wait at most
   * @return a future of true if a peer is there, false if the time ran out
   * @throws IllegalStateException for a {@link ChannelRole#BOTH} handle, or if the channel is closed */
  public CompletableFuture<Boolean> peerAsync(Duration timeout) {
    return ownCondition(otherSide(ChannelCondition.RECEIVERS_PRESENT, ChannelCondition.SENDERS_PRESENT))
        .waitAsync(timeout);
  }

  /** {@link #awaitPeersGone} without blocking a thread.
   * @param timeout how long to wait at most
   * @return a future of true if the other side's peers are gone, false if the time ran out
   * @throws IllegalStateException for a {@link ChannelRole#BOTH} handle, or if the channel is closed */
  public CompletableFuture<Boolean> peersGoneAsync(Duration timeout) {
    return ownCondition(otherSide(ChannelCondition.RECEIVERS_GONE, ChannelCondition.SENDERS_GONE)).waitAsync(timeout);
  }

  private ChannelCondition otherSide(ChannelCondition ofReceivers, ChannelCondition ofSenders) {
    switch (role) {
      case SENDER:
        return ofReceivers;
      case RECEIVER:
        return ofSenders;
      default:
        throw new IllegalStateException(this + " sends and receives, so it is a peer of both sides itself: wait on "
            + "condition(" + ofReceivers + ") or condition(" + ofSenders + ")");
    }
  }

  // ---- The work -----------------------------------------------------------------------------

  /** One try of an asynchronous call: delivers and returns true, or returns false if it would
   * block. */
  private interface Attempt<T> {
    boolean tryOnce(Pending<T> future) throws InterruptedException;
  }

  private CompletableFuture<byte[]> receiveAsyncCore(int timeoutMs) {
    return asyncCore(ChannelCondition.CAN_RECEIVE, timeoutMs, null, future -> {
      byte[] message = receiveArray(0);
      if (message == null) return false;
      future.deliver(message);
      return true;
    });
  }

  private <T> CompletableFuture<T> sendAsyncCore(ByteBuffer message, int timeoutMs, T sent, T timedOut) {
    return asyncCore(ChannelCondition.CAN_SEND, timeoutMs, timedOut, future -> {
      if (!sendCore(message, 0)) return false;
      future.deliver(sent);
      return true;
    });
  }

  /** Tries at once; if that would block, registers a wait for `ready` with the wait pool and
   * tries again each time it holds, until the call is done, fails or times out. */
  private <T> CompletableFuture<T> asyncCore(ChannelCondition ready, int timeoutMs, T timedOut, Attempt<T> attempt) {
    Pending<T> future = new Pending<>();
    ChannelWaitable condition;
    future.claim();
    try {
      if (attempt.tryOnce(future)) return future;
      if (timeoutMs == 0) {
        future.deliver(timedOut);
        return future;
      }
      condition = ownCondition(ready);
    } catch (Throwable failure) {
      future.fail(failure);
      return future;
    }
    future.unclaim();
    whenReady(condition, WaitPool.deadlineIn(timeoutMs), future, timedOut, attempt);
    return future;
  }

  private <T> void whenReady(ChannelWaitable condition, long deadline, Pending<T> future, T timedOut, Attempt<T> attempt) {
    WaitPool.register(condition, deadline, future, new WaitPool.Waiter() {
      @Override
      public void ready(int status) {
        try {
          if (attempt.tryOnce(future)) return;
        } catch (Throwable failure) {
          future.fail(failure);
          return;
        }
        // Another receiver (or sender) was first: wait again, unless cancelled meanwhile.
        if (future.unclaim()) whenReady(condition, deadline, future, timedOut, attempt);
      }

      @Override
      public void timedOut() {
        future.deliver(timedOut);
      }
    });
  }

  private boolean sendCore(ByteBuffer message, int timeoutMs) throws InterruptedException {
    if (message == null) throw new NullPointerException("message");
    int position = message.position();
    int length = message.limit() - position;
    long value = handle.acquire(this);
    try {
      requireNoReservation();
      int status;
      if (message.isDirect()) {
        long address = length == 0 ? 0 : shmlink.shmlink_java_buffer_address(message) + position;
        status = untilRoom(value, timeoutMs, wait -> shmlink.channel_send(value, address, length, wait));
        Reference.reachabilityFence(message);
      } else {
        status = sendThroughReservation(value, message, position, length, timeoutMs);
      }
      if (status == TIMEOUT) return false;
      Failure.check(status);
      message.position(position + length);
      return true;
    } finally {
      handle.release();
    }
  }

  /** A heap buffer: reserve, copy, commit (the library reads only native memory). */
  private int sendThroughReservation(long value, ByteBuffer message, int position, int length, int timeoutMs)
      throws InterruptedException {
    long[] address = new long[1];
    reservationLock.lockInterruptibly();
    try {
      requireNoReservation();
      int status = untilRoom(value, timeoutMs, wait -> shmlink.channel_reserve(value, length, wait, address));
      if (status != OK) return status;
      if (length > 0) directBuffer(address[0], length).put(0, message, position, length);
      return shmlink.channel_commit(value, length);
    } finally {
      reservationLock.unlock();
    }
  }

  private ByteBuffer reserveCore(int length, int timeoutMs) throws InterruptedException {
    if (length < 0) throw new IllegalArgumentException("A length is not negative, not " + length);
    long[] address = new long[1];
    long value = handle.acquire(this);
    try {
      reservationLock.lockInterruptibly();
      try {
        requireNoReservation();
        int status = untilRoom(value, timeoutMs, wait -> shmlink.channel_reserve(value, length, wait, address));
        if (status == TIMEOUT) return null;
        Failure.check(status);
        reservedLength = length;
        return directBuffer(address[0], length);
      } finally {
        reservationLock.unlock();
      }
    } finally {
      handle.release();
    }
  }

  private int receiveCore(ByteBuffer buffer, int timeoutMs) throws InterruptedException {
    if (buffer == null) throw new NullPointerException("buffer");
    if (buffer.isReadOnly()) throw new ReadOnlyBufferException();
    int position = buffer.position();
    int room = buffer.limit() - position;
    int[] length = new int[1];
    long value = handle.acquire(this);
    try {
      requireNoPeek();
      IntUnaryOperator copy;
      if (buffer.isDirect()) {
        long address = room == 0 ? 0 : shmlink.shmlink_java_buffer_address(buffer) + position;
        copy = wait -> shmlink.channel_receive(value, address, room, length, wait);
      } else {
        byte[] array = buffer.array();
        int offset = buffer.arrayOffset() + position;
        copy = wait -> {
          // The array is pinned only for a call that does not wait: a wait is for a message
          // first, with no room (a zero-length message is received by it, a longer one stays).
          if (wait != 0) {
            int probe = shmlink.channel_receive(value, 0, 0, length, wait);
            if (probe != BUFFER_TOO_SMALL) return probe;
          }
          return shmlink.shmlink_java_channel_receive_array(value, array, offset, room, length, false);
        };
      }
      // Under the peek lock: never beside a peek of this handle (the library's rule).
      int status = untilReceivable(value, timeoutMs, wait -> {
        peekLock.lock();
        try {
          requireNoPeek();
          return copy.applyAsInt(wait);
        } finally {
          peekLock.unlock();
        }
      });
      Reference.reachabilityFence(buffer);
      if (status == TIMEOUT) return -1;
      if (status == BUFFER_TOO_SMALL) {
        throw new Failure(Status.BUFFER_TOO_SMALL, "Channel.receive(\"" + name() + "\"): the next message has "
            + Integer.toUnsignedLong(length[0]) + " bytes; the buffer has " + room
            + " remaining (the message stays queued)", 0).toException();
      }
      Failure.check(status);
      buffer.position(position + length[0]);
      return length[0];
    } finally {
      handle.release();
    }
  }

  private int sendBatchCore(ByteBuffer messages, int[] lengths, int timeoutMs) throws InterruptedException {
    if (messages == null) throw new NullPointerException("messages");
    if (lengths == null) throw new NullPointerException("lengths");
    if (lengths.length == 0) throw new IllegalArgumentException("A batch has at least one message");
    int count = Math.min(lengths.length, MAX_BATCH);
    int position = messages.position();
    long total = 0;
    for (int i = 0; i < count; i++) {
      if (lengths[i] < 0) throw new IllegalArgumentException("Message " + i + " has a negative length: " + lengths[i]);
      total += lengths[i];
    }
    if (total > messages.remaining()) {
      throw new IllegalArgumentException("The first " + count + " lengths add up to " + total + " bytes; "
          + messages.remaining() + " remain in the buffer");
    }
    int[] sent = new int[1];
    long value = handle.acquire(this);
    try {
      requireNoReservation();
      int status;
      if (messages.isDirect()) {
        long address = shmlink.shmlink_java_buffer_address(messages) + position;
        status = untilRoom(value, timeoutMs, wait -> shmlink.shmlink_java_channel_send_batch(
            value, address, null, 0, lengths, count, wait, sent));
      } else {
        byte[] array = messages.array();
        int offset = messages.arrayOffset() + position;
        // Pinned only for calls that do not wait: the wait for room is the binding's.
        byte[] pinned = total == 0 ? null : array;
        status = untilRoom(value, timeoutMs, wait -> shmlink.shmlink_java_channel_send_batch(
            value, 0, pinned, offset, lengths, count, 0, sent));
      }
      Reference.reachabilityFence(messages);
      if (status == TIMEOUT) return 0;
      Failure.check(status);
      long bytes = 0;
      for (int i = 0; i < sent[0]; i++) bytes += lengths[i];
      messages.position(position + (int) bytes);
      return sent[0];
    } finally {
      handle.release();
    }
  }

  private int receiveBatchCore(ByteBuffer buffer, int[] lengths, int timeoutMs) throws InterruptedException {
    if (buffer == null) throw new NullPointerException("buffer");
    if (lengths == null) throw new NullPointerException("lengths");
    if (lengths.length == 0) throw new IllegalArgumentException("A batch takes at least one message");
    if (buffer.isReadOnly()) throw new ReadOnlyBufferException();
    int count = Math.min(lengths.length, MAX_BATCH);
    int position = buffer.position();
    int room = buffer.remaining();
    int[] received = new int[1];
    long value = handle.acquire(this);
    try {
      requireNoPeek();
      IntUnaryOperator take;
      if (buffer.isDirect()) {
        long address = room == 0 ? 0 : shmlink.shmlink_java_buffer_address(buffer) + position;
        take = wait -> shmlink.shmlink_java_channel_receive_batch(value, address, null, 0, room, lengths, count,
                                                                   wait, received);
      } else {
        byte[] array = buffer.array();
        int offset = buffer.arrayOffset() + position;
        take = wait -> shmlink.shmlink_java_channel_receive_batch(value, 0, room == 0 ? null : array, offset, room,
                                                                   lengths, count, 0, received);
      }
      // Under the peek lock: never beside a peek of this handle (the library's rule).
      int status = untilReceivable(value, timeoutMs, wait -> {
        peekLock.lock();
        try {
          requireNoPeek();
          return take.applyAsInt(wait);
        } finally {
          peekLock.unlock();
        }
      });
      Reference.reachabilityFence(buffer);
      if (status == TIMEOUT) return 0;
      if (status == BUFFER_TOO_SMALL) {
        throw new Failure(Status.BUFFER_TOO_SMALL, "Channel.receiveBatch(\"" + name() + "\"): the next message has "
            + Integer.toUnsignedLong(lengths[0]) + " bytes; the buffer has " + room
            + " remaining (the message stays queued)", 0).toException();
      }
      Failure.check(status);
      long bytes = 0;
      for (int i = 0; i < received[0]; i++) bytes += lengths[i];
      buffer.position(position + (int) bytes);
      return received[0];
    } finally {
      handle.release();
    }
  }

  private byte[] receiveArray(int timeoutMs) throws InterruptedException {
    int[] length = new int[1];
    byte[][] received = new byte[1][];
    long value = handle.acquire(this);
    try {
      requireNoPeek();
      int status = untilReceivable(value, timeoutMs, wait -> {
        peekLock.lock();
        try {
          requireNoPeek();
          // Asked with no room, the library holds a message that has bytes for this handle and
          // tells its length; the second call receives exactly it, at once, into an array of
          // that length (one copy).
          int first = shmlink.channel_receive_whole(value, 0, 0, length, wait);
          if (first != BUFFER_TOO_SMALL) {
            if (first >= 0) received[0] = new byte[0];
            return first;
          }
          if (length[0] < 0) {
            throw new IllegalStateException(this + ": the next message has " + Integer.toUnsignedLong(length[0])
                + " bytes, more than a Java array holds: receive it with peek()");
          }
          byte[] bytes = new byte[length[0]];
          int second = shmlink.shmlink_java_channel_receive_array(value, bytes, 0, bytes.length, length, true);
          if (second >= 0) received[0] = bytes;
          return second;
        } finally {
          peekLock.unlock();
        }
      });
      if (status == TIMEOUT) return null;
      Failure.check(status);
      return received[0];
    } finally {
      handle.release();
    }
  }

  private ByteBuffer peekCore(int timeoutMs) throws InterruptedException {
    long[] data = new long[1];
    int[] length = new int[1];
    long value = handle.acquire(this);
    try {
      int status = untilReceivable(value, timeoutMs, wait -> {
        peekLock.lock();
        try {
          int peekStatus = shmlink.channel_peek(value, wait, data, length);
          if (peekStatus >= 0) peeked = true;
          return peekStatus;
        } finally {
          peekLock.unlock();
        }
      });
      if (status == TIMEOUT) return null;
      Failure.check(status);
      return directBuffer(data[0], length[0]).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    } finally {
      handle.release();
    }
  }

  /**
   * Runs {@code attempt} (the library's call, given how long it may wait) first with up to
   * {@value #FIRST_WAIT_MS} ms: the library's own blocking call spins briefly before it sleeps,
   * so a peer that answers within microseconds is not made to wake this thread from a sleep (a
   * Java round trip of 1.6-1.8x the C one without this, 0.85x with it). Then, while it would
   * block, waits until the handle is ready (shmlink_wait_any on the channel and the thread's
   * interrupt signal) and tries again without waiting, until the time runs out. So an interrupt
   * is seen within that first millisecond at most; one pending on entry skips it. Returns the
   * attempt's status or TIMEOUT.
   */
  private int untilReceivable(long value, int timeoutMs, IntUnaryOperator attempt) throws InterruptedException {
    long start = System.nanoTime();
    int status = attempt.applyAsInt(0);
    if (status != TIMEOUT || timeoutMs == 0) return status;
    // The library's blocking call yields the CPU between its tries from the first one on; a
    // peer on another CPU usually answers within a couple of microseconds, and a yield costs a
    // system call of about that length, so those are tried without yielding first.
    long busyUntil = start + Math.min(BUSY_NANOS, Integer.toUnsignedLong(timeoutMs) * 1_000_000L);
    while (System.nanoTime() - busyUntil < 0) {
      Thread.onSpinWait();
      status = attempt.applyAsInt(0);
      if (status != TIMEOUT) return status;
    }
    status = attempt.applyAsInt(firstWait(timeoutMs));
    if (status != TIMEOUT) return status;
    return untilReady(value, start, timeoutMs, attempt);
  }

  /** The same for room (a send or reserve): the wait is on this handle's CAN_SEND condition. */
  private int untilRoom(long value, int timeoutMs, IntUnaryOperator attempt) throws InterruptedException {
    long start = System.nanoTime();
    int status = attempt.applyAsInt(firstWait(timeoutMs));
    if (status != TIMEOUT || timeoutMs == 0) return status;
    ChannelWaitable room = ownCondition(ChannelCondition.CAN_SEND);
    long roomValue = room.handle.acquire(room);
    try {
      return untilReady(roomValue, start, timeoutMs, attempt);
    } finally {
      room.handle.release();
    }
  }

  /** How long the first, uninterruptible call may wait. */
  private static int firstWait(int timeoutMs) {
    if (timeoutMs == 0 || Thread.currentThread().isInterrupted()) return 0;
    return Integer.compareUnsigned(timeoutMs, FIRST_WAIT_MS) < 0 ? timeoutMs : FIRST_WAIT_MS;
  }

  /** After a first attempt that would have blocked: waits on `waitable` and tries again. */
  private static int untilReady(long waitable, long start, int timeoutMs, IntUnaryOperator attempt)
      throws InterruptedException {
    int status;
    long deadline = start + Integer.toUnsignedLong(timeoutMs) * 1_000_000L;
    long[] handles = new long[2];
    int[] index = new int[1];
    while (true) {
      int waitMs = timeoutMs;
      if (timeoutMs != Timeouts.INFINITE) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return TIMEOUT;
        waitMs = (int) ((left + 999_999) / 1_000_000);
      }
      handles[0] = waitable;
      int waited = Waiting.waitAny(handles, 1, waitMs, index);
      if (waited == TIMEOUT) return TIMEOUT;
      Failure.check(waited);
      status = attempt.applyAsInt(0);
      if (status != TIMEOUT) return status; // else another receiver (or sender) was first: wait again
    }
  }

  /** This handle's own condition handle, made when first needed (closed with the channel). */
  private ChannelWaitable ownCondition(ChannelCondition condition) {
    synchronized (conditions) {
      throwIfClosed();
      ChannelWaitable own = conditions.get(condition);
      if (own == null) {
        own = condition(condition);
        conditions.put(condition, own);
      }
      return own;
    }
  }

  /** Closes this handle and its own condition handles; pending asynchronous calls fail with
   * IllegalStateException. */
  @Override
  public void close() {
    synchronized (conditions) {
      for (ChannelWaitable own : conditions.values()) own.close();
      conditions.clear();
      super.close();
    }
  }

  private void requireNoReservation() {
    if (reservedLength >= 0) {
      throw new IllegalStateException(this + " holds a reservation: commit it before sending or reserving again");
    }
  }

  private void requireNoPeek() {
    if (peeked) throw new IllegalStateException(this + " holds a peeked message: consume it before receiving");
  }

  private static ByteBuffer directBuffer(long address, int length) {
    ByteBuffer buffer = (ByteBuffer) shmlink.shmlink_java_direct_buffer(address, length);
    if (buffer == null) throw new IllegalStateException("this JVM does not support direct buffers over native memory");
    return buffer.order(ByteOrder.nativeOrder());
  }

  private static Channel make(String name, long capacityBytes, int maxMessageBytes, ChannelRole role, int flags) {
    if (role == null) throw new NullPointerException("role");
    if (capacityBytes < 0) throw new IllegalArgumentException("A capacity is not negative, not " + capacityBytes);
    if (maxMessageBytes < 0) {
      throw new IllegalArgumentException("A maximum message length is not negative, not " + maxMessageBytes);
    }
    long[] handle = new long[1];
    int status = Failure.check(
        shmlink.channel_create(requireName(name), capacityBytes, maxMessageBytes, flags | role.flags, handle));
    return new Channel(handle[0], name, status == shmlink.SHMLINK_OK, role);
  }
}
