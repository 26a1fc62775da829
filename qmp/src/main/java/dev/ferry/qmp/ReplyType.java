package dev.ferry.qmp;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.util.List;

/**
 * The Java type a command's {@code return} value decodes to. Commands whose reply carries nothing
 * use {@link #NONE} and complete with {@code null}.
 */
public final class ReplyType<R> {

  /** The reply is an empty object; the command completes with {@code null}. */
  public static final ReplyType<Void> NONE = new ReplyType<>(null, "none");

  private final JavaType javaType;
  private final String description;

  private ReplyType(JavaType javaType, String description) {
    this.javaType = javaType;
    this.description = description;
  }

  public static <R> ReplyType<R> of(Class<R> type) {
    return new ReplyType<>(TypeFactory.defaultInstance().constructType(type), type.getSimpleName());
  }

  public static <E> ReplyType<List<E>> listOf(Class<E> element) {
    return new ReplyType<>(
        TypeFactory.defaultInstance().constructCollectionType(List.class, element),
        "List<" + element.getSimpleName() + ">");
  }

  boolean isNone() {
    return javaType == null;
  }

  JavaType javaType() {
    return javaType;
  }

  @Override
  public String toString() {
    return description;
  }
}
