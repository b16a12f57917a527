package dev.chatops.feature;

import dev.chatops.shared.Text;
import dev.chatops.shared.gitlab.GitLabClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Features API takes paths; an actor given by id ({@code --user=12}) is looked up on the instance
 * being changed, where ids are its own, and the reply says what it stood for. A number that is also a
 * username is refused as ambiguous: on production, the wrong actor is not a guess to make.
 */
final class ActorPaths {
    /** Ids looked up per instance at most: each is a GitLab read. */
    static final int MAX_ID_LOOKUPS = 20;
    /** The gates that take ids, with the kind of Flipper actor each names. */
    private static final Map<String, String> TYPES = Map.of("user", "User", "project", "Project", "group", "Group");
    private static final List<String> ORDER = List.of("user", "project", "group");

    /** Raised when an actor given by id cannot be used on an instance; its message says why, for the reply. */
    static final class UnknownActor extends RuntimeException {
        UnknownActor(String message) {
            super(message, null, false, false);
        }
    }

    private ActorPaths() {
    }

    /**
     * {@code params} with every actor given by id replaced by its path on {@code client}'s instance;
     * {@code notes} gets a line for each.
     *
     * @throws UnknownActor when an id names nobody there, is also a username, or too many are given
     * @throws dev.chatops.shared.gitlab.GitLabException when GitLab cannot be read
     */
    static Map<String, String> of(GitLabClient client, Map<String, String> params, List<String> notes) {
        Map<String, String> out = new LinkedHashMap<>(params);
        int lookups = 0;
        for (String type : ORDER) {
            String list = out.get(type);
            if (list == null) {
                continue;
            }
            List<String> paths = new ArrayList<>();
            for (String item : list.split(",")) {
                if (!item.matches("[0-9]{1,18}")) {
                    paths.add(item);
                    continue;
                }
                if (++lookups > MAX_ID_LOOKUPS) {
                    throw new UnknownActor("give at most " + MAX_ID_LOOKUPS + " actors by id at once (paths need no "
                            + "lookup); nothing was changed.");
                }
                String path = client.actorName(TYPES.get(type) + ":" + item).orElseThrow(() -> new UnknownActor(
                        "there is no " + type + " with id " + item + " here; nothing was changed."));
                if (type.equals("user") && !path.equalsIgnoreCase(item) && client.userByUsername(item).isPresent()) {
                    throw new UnknownActor("`" + Text.inCode(item, 60) + "` is both a username and the id of user `"
                            + Text.inCode(path, 100)
                            + "` here; give the username of the one you mean. Nothing was changed.");
                }
                notes.add("`--" + type + "=" + Text.inCode(item, 60) + "` is " + type + " `" + Text.inCode(path, 100)
                        + "` here.");
                paths.add(path);
            }
            out.put(type, String.join(",", paths));
        }
        return out;
    }
}
