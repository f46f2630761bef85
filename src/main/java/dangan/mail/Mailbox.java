package dangan.mail;

import jakarta.mail.Folder;
import jakarta.mail.FolderClosedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;
import jakarta.mail.StoreClosedException;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxEncoder;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.RFC822SIZE;
import org.eclipse.angus.mail.imap.protocol.UID;
import org.eclipse.angus.mail.imap.protocol.UIDSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The IMAP mailbox the guest-history mails arrive in, read a batch at a time in a few commands whatever the
 * batch's size (issue 14: mail at volume): one lists every mail of the inbox folder (its UID, size and
 * Message-ID), one fetches the batch whole (each mail's raw text, the server's flags untouched), one moves the
 * batch to a folder (IMAP MOVE of a UID set; COPY, flag and expunge where the server lacks MOVE). A mail
 * larger than {@value #WHOLE_FETCH_BYTES} bytes stays on the server and is read part by part, so an oversized
 * attachment is refused without being loaded. The connection is kept from poll to poll; any trouble on it
 * closes it, and the next poll connects again. Used by one thread at a time (the mail route's; bench/mail.sh
 * measures the mailbox's floor with it).
 */
public final class Mailbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Mailbox.class);

    /** Mails up to this size are fetched whole with the batch; larger ones are read part by part on the server. */
    static final long WHOLE_FETCH_BYTES = 4L * 1024 * 1024;

    /** A mail in the inbox: its UID, its size and the key the claim ledger knows it by. */
    public record Listed(long uid, long size, String key) {
    }

    /** A mail taken: the key, the UID and the mail (fetched whole, or the server's message when large). */
    public record Fetched(long uid, String key, Message mail) {
    }

    private final MailServer server;
    private final String user;
    private final String password;
    private final String inboxName;
    private final Set<String> foldersKnown = new HashSet<>();
    private IMAPStore store;
    private IMAPFolder inbox;

    public Mailbox(String url, String user, String password, String inboxName) {
        this.server = MailServer.of(url, "dangan.imap.url", "imap", Map.of("peek", "true"));
        this.user = user;
        this.password = password;
        this.inboxName = inboxName;
    }

    /** Opens the inbox folder (connecting when the connection is not open) and lists every mail in it, oldest first. */
    public List<Listed> list() throws MessagingException {
        if (store == null || !store.isConnected()) {
            close();
            store = (IMAPStore) server.session().getStore(server.protocol());
            store.connect(server.host(), server.port(), user, password);
            foldersKnown.clear();
        }
        inbox = (IMAPFolder) store.getFolder(inboxName);
        inbox.open(Folder.READ_WRITE);
        List<Listed> listed = new ArrayList<>();
        if (inbox.getMessageCount() == 0) return listed;
        for (FetchResponse f : fetch("1:*", "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)])")) {
            UID uid = f.getItem(UID.class);
            RFC822SIZE size = f.getItem(RFC822SIZE.class);
            BODY headers = f.getItem(BODY.class);
            if (uid == null) continue;
            byte[] head = headers == null ? new byte[0] : headers.getByteArrayInputStream().readAllBytes();
            String messageId = new InternetHeaders(new ByteArrayInputStream(head)).getHeader("Message-ID", null);
            listed.add(new Listed(uid.uid, size == null ? 0 : size.size, key(messageId, head, size == null ? 0 : size.size)));
        }
        listed.sort(Comparator.comparingLong(Listed::uid));
        return listed;
    }

    /** The mails, fetched whole in one command (the large ones left on the server, read part by part). */
    public List<Fetched> fetch(List<Listed> mails) throws MessagingException {
        List<Fetched> fetched = new ArrayList<>();
        List<Long> whole = new ArrayList<>();
        for (Listed m : mails) {
            if (m.size() <= WHOLE_FETCH_BYTES) {
                whole.add(m.uid());
            } else {
                IMAPMessage large = (IMAPMessage) inbox.getMessageByUID(m.uid());
                if (large == null) continue; // gone meanwhile (another client moved it)
                large.setPeek(true);
                fetched.add(new Fetched(m.uid(), m.key(), large));
            }
        }
        if (!whole.isEmpty()) {
            List<FetchResponse> responses = fetch(uidSet(whole), "(UID BODY.PEEK[])");
            for (FetchResponse f : responses) {
                UID uid = f.getItem(UID.class);
                BODY body = f.getItem(BODY.class);
                if (uid == null || body == null) continue;
                String key = mails.stream().filter(m -> m.uid() == uid.uid).map(Listed::key).findFirst().orElse(null);
                if (key == null) continue;
                fetched.add(new Fetched(uid.uid, key, new MimeMessage(server.session(), body.getByteArrayInputStream())));
            }
        }
        fetched.sort(Comparator.comparingLong(Fetched::uid));
        return fetched;
    }

    /** Moves the mails to the folder (created when missing) in one command. */
    public void move(Collection<Long> uids, String folderName) throws MessagingException {
        if (uids.isEmpty()) return;
        if (foldersKnown.add(folderName)) {
            Folder folder = store.getFolder(folderName);
            if (!folder.exists() && !folder.create(Folder.HOLDS_MESSAGES)) {
                throw new MessagingException("the folder " + folderName + " cannot be created");
            }
        }
        String set = uidSet(uids);
        if (store.hasCapability("MOVE")) {
            command("UID MOVE " + set, folderName);
        } else {
            command("UID COPY " + set, folderName);
            command("UID STORE " + set + " +FLAGS.SILENT (\\Deleted)", null);
            command(store.hasCapability("UIDPLUS") ? "UID EXPUNGE " + set : "EXPUNGE", null);
        }
    }

    /** Closes the inbox folder at the end of a poll; the connection stays open for the next. */
    public void endPoll() {
        if (inbox != null && inbox.isOpen()) {
            try {
                inbox.close(false);
            } catch (MessagingException e) {
                LOG.debug("Closing the inbox folder: {}", e.getMessage());
                close();
            }
        }
        inbox = null;
    }

    /** Closes the connection (after trouble on it, and at stop). */
    @Override
    public void close() {
        inbox = null;
        if (store != null) {
            try {
                store.close();
            } catch (MessagingException e) {
                LOG.debug("Closing the mailbox connection: {}", e.getMessage());
            }
            store = null;
        }
    }

    private List<FetchResponse> fetch(String set, String items) throws MessagingException {
        Response[] responses = command("UID FETCH " + set + " " + items, null);
        List<FetchResponse> fetched = new ArrayList<>();
        for (Response r : responses) if (r instanceof FetchResponse f) fetched.add(f);
        return fetched;
    }

    /** One command on the inbox's connection; its tagged answer checked (a cut connection closes the folder). */
    private Response[] command(String command, String mailboxArgument) throws MessagingException {
        if (inbox == null || !inbox.isOpen()) throw new FolderClosedException(inbox, "the inbox folder is not open");
        return (Response[]) inbox.doCommand((IMAPProtocol p) -> {
            Argument args = null;
            if (mailboxArgument != null) {
                args = new Argument();
                args.writeString(BASE64MailboxEncoder.encode(mailboxArgument));
            }
            Response[] r = p.command(command, args);
            p.notifyResponseHandlers(r);
            p.handleResult(r[r.length - 1]);
            return r;
        });
    }

    private static String uidSet(Collection<Long> uids) {
        return UIDSet.toString(UIDSet.createUIDSets(uids.stream().mapToLong(Long::longValue).sorted().toArray()));
    }

    /** The ledger's key: the Message-ID, or for a mail without one a digest of its head and size. */
    private static String key(String messageId, byte[] head, long size) {
        if (messageId != null && !messageId.isBlank()) return SafeText.oneLine(messageId.strip(), 300);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(head);
            sha.update(String.valueOf(size).getBytes(StandardCharsets.US_ASCII));
            return "<no-message-id-" + HexFormat.of().formatHex(sha.digest()) + "@dangan>";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A connection-level failure: the connection is closed, and the next poll connects again. */
    static boolean connectionLost(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FolderClosedException || t instanceof StoreClosedException || t instanceof java.io.IOException
                    || t instanceof ProtocolException) return true;
        }
        return false;
    }
}
