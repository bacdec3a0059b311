import { Job, Queue } from 'bullmq';

/**
 * A job whose data may arrive already serialized, as the UTF-8 bytes of its JSON: stored as given,
 * instead of being parsed and stringified again. Workers read it as any other job's data.
 */
class RawJsonJob extends Job {
  override asJSON(): ReturnType<Job['asJSON']> {
    const data: unknown = this.data;
    if (!Buffer.isBuffer(data)) return super.asJSON();
    this.data = undefined;
    try {
      // The bytes go to Redis as the job's `data` field, exactly where the JSON string would go.
      return { ...super.asJSON(), data: data as unknown as string };
    } finally {
      this.data = data;
    }
  }
}

/** A queue that also takes job data as JSON bytes (`addJson`); `add` works as usual. */
export class RawJsonQueue<Data> extends Queue<Data> {
  protected override get Job(): typeof Job {
    return RawJsonJob as unknown as typeof Job;
  }

  /** Adds a job whose data is `json`, which must be the UTF-8 bytes of a JSON value of type Data. */
  addJson(name: string, json: Buffer): Promise<Job<Data>> {
    return this.add(name as never, json as never) as Promise<Job<Data>>;
  }
}
