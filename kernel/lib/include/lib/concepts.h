// The few concepts the kernel uses, without <concepts>.
#pragma once

namespace lib {

template <typename A, typename B>
inline constexpr bool is_same_v = false;
template <typename A>
inline constexpr bool is_same_v<A, A> = true;

template <typename A, typename B>
concept same_as = is_same_v<A, B> && is_same_v<B, A>;

}  // namespace lib
