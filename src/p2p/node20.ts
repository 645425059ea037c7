/**
 * js-libp2p 3 (via it-queue/mortice) calls `Promise.withResolvers`, which Node gained in 22. Our
 * runtime is Node 20, so this module defines it — per the spec, on any Promise subclass `this` —
 * before libp2p is loaded. Import it first wherever libp2p is imported.
 */
interface WithResolvers {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void }
}

const PromiseWithResolvers = Promise as unknown as WithResolvers & PromiseConstructor

if (typeof PromiseWithResolvers.withResolvers !== 'function') {
  PromiseWithResolvers.withResolvers = function withResolvers<T>(this: PromiseConstructor) {
    let resolve!: (value: T | PromiseLike<T>) => void
    let reject!: (reason?: unknown) => void
    const promise = new this<T>((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}

export {}
